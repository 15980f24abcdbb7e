/* Placeholder for fs/xfs/libxfs/xfs_dquot_buf.c of Linux 6.1: only its name matters here. */
