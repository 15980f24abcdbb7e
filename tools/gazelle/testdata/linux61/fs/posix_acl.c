/* Placeholder for fs/posix_acl.c of Linux 6.1: only its name matters here. */
