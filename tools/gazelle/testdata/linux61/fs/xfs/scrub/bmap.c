/* Placeholder for fs/xfs/scrub/bmap.c of Linux 6.1: only its name matters here. */
