/* Placeholder for fs/xfs/xfs_inode.c of Linux 6.1: only its name matters here. */
