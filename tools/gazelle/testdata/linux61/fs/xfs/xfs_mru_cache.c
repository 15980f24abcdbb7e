/* Placeholder for fs/xfs/xfs_mru_cache.c of Linux 6.1: only its name matters here. */
