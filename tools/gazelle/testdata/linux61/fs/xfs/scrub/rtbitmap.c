/* Placeholder for fs/xfs/scrub/rtbitmap.c of Linux 6.1: only its name matters here. */
