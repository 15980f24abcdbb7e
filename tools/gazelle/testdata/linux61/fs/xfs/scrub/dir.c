/* Placeholder for fs/xfs/scrub/dir.c of Linux 6.1: only its name matters here. */
