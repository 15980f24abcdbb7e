/* Placeholder for fs/xfs/scrub/fscounters.c of Linux 6.1: only its name matters here. */
