/* Placeholder for fs/xfs/libxfs/xfs_attr_remote.c of Linux 6.1: only its name matters here. */
