/* Placeholder for fs/xfs/scrub/health.c of Linux 6.1: only its name matters here. */
