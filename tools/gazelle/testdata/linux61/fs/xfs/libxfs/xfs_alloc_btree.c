/* Placeholder for fs/xfs/libxfs/xfs_alloc_btree.c of Linux 6.1: only its name matters here. */
