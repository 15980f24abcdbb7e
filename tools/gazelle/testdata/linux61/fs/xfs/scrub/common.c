/* Placeholder for fs/xfs/scrub/common.c of Linux 6.1: only its name matters here. */
