/* Placeholder for fs/xfs/scrub/bitmap.c of Linux 6.1: only its name matters here. */
