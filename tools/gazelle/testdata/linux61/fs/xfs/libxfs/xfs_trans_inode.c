/* Placeholder for fs/xfs/libxfs/xfs_trans_inode.c of Linux 6.1: only its name matters here. */
