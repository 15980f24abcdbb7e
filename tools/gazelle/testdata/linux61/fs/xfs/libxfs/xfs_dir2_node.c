/* Placeholder for fs/xfs/libxfs/xfs_dir2_node.c of Linux 6.1: only its name matters here. */
