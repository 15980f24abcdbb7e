/* Placeholder for fs/xfs/libxfs/xfs_dir2_data.c of Linux 6.1: only its name matters here. */
