/* Placeholder for fs/xfs/xfs_trans_buf.c of Linux 6.1: only its name matters here. */
