/* Placeholder for fs/xfs/libxfs/xfs_refcount.c of Linux 6.1: only its name matters here. */
