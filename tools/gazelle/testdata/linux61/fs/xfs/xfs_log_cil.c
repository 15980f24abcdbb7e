/* Placeholder for fs/xfs/xfs_log_cil.c of Linux 6.1: only its name matters here. */
