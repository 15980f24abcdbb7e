/* Placeholder for fs/xfs/xfs_extent_busy.c of Linux 6.1: only its name matters here. */
