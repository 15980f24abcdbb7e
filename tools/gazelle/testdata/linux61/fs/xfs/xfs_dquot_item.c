/* Placeholder for fs/xfs/xfs_dquot_item.c of Linux 6.1: only its name matters here. */
