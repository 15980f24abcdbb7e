/* Placeholder for fs/xfs/xfs_attr_item.c of Linux 6.1: only its name matters here. */
