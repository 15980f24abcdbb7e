/* Placeholder for fs/xfs/xfs_iwalk.c of Linux 6.1: only its name matters here. */
