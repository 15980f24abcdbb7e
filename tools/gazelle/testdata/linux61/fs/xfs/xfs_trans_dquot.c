/* Placeholder for fs/xfs/xfs_trans_dquot.c of Linux 6.1: only its name matters here. */
