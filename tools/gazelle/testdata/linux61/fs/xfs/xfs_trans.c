/* Placeholder for fs/xfs/xfs_trans.c of Linux 6.1: only its name matters here. */
