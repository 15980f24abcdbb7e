/* Placeholder for fs/xfs/xfs_fsops.c of Linux 6.1: only its name matters here. */
