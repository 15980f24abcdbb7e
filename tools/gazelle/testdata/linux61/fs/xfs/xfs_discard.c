/* Placeholder for fs/xfs/xfs_discard.c of Linux 6.1: only its name matters here. */
