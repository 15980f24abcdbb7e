/* Placeholder for fs/reiserfs/xattr_acl.c of Linux 6.1: only its name matters here. */
