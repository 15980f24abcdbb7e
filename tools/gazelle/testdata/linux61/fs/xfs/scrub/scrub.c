/* Placeholder for fs/xfs/scrub/scrub.c of Linux 6.1: only its name matters here. */
