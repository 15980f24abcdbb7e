/* Placeholder for fs/isofs/inode.c of Linux 6.1: only its name matters here. */
