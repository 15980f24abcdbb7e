/* Placeholder for fs/xfs/xfs_attr_list.c of Linux 6.1: only its name matters here. */
