/* Placeholder for fs/xfs/xfs_export.c of Linux 6.1: only its name matters here. */
