/* Placeholder for fs/xfs/scrub/agheader.c of Linux 6.1: only its name matters here. */
