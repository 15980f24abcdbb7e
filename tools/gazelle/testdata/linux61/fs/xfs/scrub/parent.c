/* Placeholder for fs/xfs/scrub/parent.c of Linux 6.1: only its name matters here. */
