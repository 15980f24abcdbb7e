/* Placeholder for fs/xfs/scrub/quota.c of Linux 6.1: only its name matters here. */
