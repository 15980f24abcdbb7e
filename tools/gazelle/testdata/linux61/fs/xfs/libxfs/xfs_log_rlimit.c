/* Placeholder for fs/xfs/libxfs/xfs_log_rlimit.c of Linux 6.1: only its name matters here. */
