/* Placeholder for fs/xfs/libxfs/xfs_dir2_sf.c of Linux 6.1: only its name matters here. */
