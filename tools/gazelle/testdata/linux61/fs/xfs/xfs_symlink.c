/* Placeholder for fs/xfs/xfs_symlink.c of Linux 6.1: only its name matters here. */
