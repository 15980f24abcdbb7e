/* Placeholder for fs/xfs/xfs_icreate_item.c of Linux 6.1: only its name matters here. */
