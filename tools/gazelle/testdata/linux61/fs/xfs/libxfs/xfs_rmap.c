/* Placeholder for fs/xfs/libxfs/xfs_rmap.c of Linux 6.1: only its name matters here. */
