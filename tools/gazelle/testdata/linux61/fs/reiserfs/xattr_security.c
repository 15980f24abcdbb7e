/* Placeholder for fs/reiserfs/xattr_security.c of Linux 6.1: only its name matters here. */
