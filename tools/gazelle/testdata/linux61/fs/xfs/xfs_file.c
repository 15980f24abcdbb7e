/* Placeholder for fs/xfs/xfs_file.c of Linux 6.1: only its name matters here. */
