/* Placeholder for fs/xfs/xfs_notify_failure.c of Linux 6.1: only its name matters here. */
