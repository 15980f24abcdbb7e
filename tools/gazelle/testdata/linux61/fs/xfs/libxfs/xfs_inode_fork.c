/* Placeholder for fs/xfs/libxfs/xfs_inode_fork.c of Linux 6.1: only its name matters here. */
