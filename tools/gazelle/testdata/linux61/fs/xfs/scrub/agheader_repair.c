/* Placeholder for fs/xfs/scrub/agheader_repair.c of Linux 6.1: only its name matters here. */
