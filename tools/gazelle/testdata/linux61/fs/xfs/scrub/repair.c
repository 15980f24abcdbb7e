/* Placeholder for fs/xfs/scrub/repair.c of Linux 6.1: only its name matters here. */
