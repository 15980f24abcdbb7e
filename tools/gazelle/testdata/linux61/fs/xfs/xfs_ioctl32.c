/* Placeholder for fs/xfs/xfs_ioctl32.c of Linux 6.1: only its name matters here. */
