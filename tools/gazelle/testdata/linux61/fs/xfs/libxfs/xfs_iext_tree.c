/* Placeholder for fs/xfs/libxfs/xfs_iext_tree.c of Linux 6.1: only its name matters here. */
