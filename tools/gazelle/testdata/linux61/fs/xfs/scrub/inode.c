/* Placeholder for fs/xfs/scrub/inode.c of Linux 6.1: only its name matters here. */
