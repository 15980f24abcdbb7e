/* Placeholder for fs/xfs/libxfs/xfs_bmap.c of Linux 6.1: only its name matters here. */
