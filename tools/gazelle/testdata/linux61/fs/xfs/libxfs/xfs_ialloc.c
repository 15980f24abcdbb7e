/* Placeholder for fs/xfs/libxfs/xfs_ialloc.c of Linux 6.1: only its name matters here. */
