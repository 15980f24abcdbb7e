/* Placeholder for fs/xfs/libxfs/xfs_dir2.c of Linux 6.1: only its name matters here. */
