/* Placeholder for fs/xattr.c of Linux 6.1: only its name matters here. */
