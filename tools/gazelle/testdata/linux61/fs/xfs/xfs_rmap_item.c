/* Placeholder for fs/xfs/xfs_rmap_item.c of Linux 6.1: only its name matters here. */
