/* Placeholder for fs/xfs/xfs_iops.c of Linux 6.1: only its name matters here. */
