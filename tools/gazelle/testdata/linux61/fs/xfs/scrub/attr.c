/* Placeholder for fs/xfs/scrub/attr.c of Linux 6.1: only its name matters here. */
