/* Placeholder for fs/xfs/xfs_rtalloc.c of Linux 6.1: only its name matters here. */
