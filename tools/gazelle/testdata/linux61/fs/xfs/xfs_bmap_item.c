/* Placeholder for fs/xfs/xfs_bmap_item.c of Linux 6.1: only its name matters here. */
