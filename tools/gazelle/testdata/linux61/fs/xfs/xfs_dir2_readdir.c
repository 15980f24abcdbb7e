/* Placeholder for fs/xfs/xfs_dir2_readdir.c of Linux 6.1: only its name matters here. */
