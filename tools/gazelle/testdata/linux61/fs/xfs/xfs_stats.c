/* Placeholder for fs/xfs/xfs_stats.c of Linux 6.1: only its name matters here. */
