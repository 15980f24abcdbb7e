/* Placeholder for fs/xfs/libxfs/xfs_ag_resv.c of Linux 6.1: only its name matters here. */
