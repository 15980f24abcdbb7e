/* Placeholder for fs/reiserfs/xattr.c of Linux 6.1: only its name matters here. */
