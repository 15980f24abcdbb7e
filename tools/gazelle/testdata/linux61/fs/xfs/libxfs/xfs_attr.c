/* Placeholder for fs/xfs/libxfs/xfs_attr.c of Linux 6.1: only its name matters here. */
