/* Placeholder for fs/xfs/xfs_super.c of Linux 6.1: only its name matters here. */
