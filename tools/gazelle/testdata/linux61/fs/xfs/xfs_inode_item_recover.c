/* Placeholder for fs/xfs/xfs_inode_item_recover.c of Linux 6.1: only its name matters here. */
