/* Placeholder for fs/xfs/libxfs/xfs_ag.c of Linux 6.1: only its name matters here. */
