/* Placeholder for fs/reiserfs/inode.c of Linux 6.1: only its name matters here. */
