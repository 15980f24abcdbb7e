/* Placeholder for fs/xfs/xfs_buf_item_recover.c of Linux 6.1: only its name matters here. */
