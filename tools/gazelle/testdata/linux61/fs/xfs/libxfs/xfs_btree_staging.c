/* Placeholder for fs/xfs/libxfs/xfs_btree_staging.c of Linux 6.1: only its name matters here. */
