/* Placeholder for fs/xfs/scrub/ialloc.c of Linux 6.1: only its name matters here. */
