/* Placeholder for fs/xfs/xfs_mount.c of Linux 6.1: only its name matters here. */
