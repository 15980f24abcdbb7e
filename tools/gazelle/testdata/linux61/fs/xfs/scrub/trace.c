/* Placeholder for fs/xfs/scrub/trace.c of Linux 6.1: only its name matters here. */
