/* Placeholder for fs/xfs/libxfs/xfs_dir2_leaf.c of Linux 6.1: only its name matters here. */
