/* Placeholder for fs/xfs/scrub/alloc.c of Linux 6.1: only its name matters here. */
