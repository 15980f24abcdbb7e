/* Placeholder for fs/xfs/scrub/rmap.c of Linux 6.1: only its name matters here. */
