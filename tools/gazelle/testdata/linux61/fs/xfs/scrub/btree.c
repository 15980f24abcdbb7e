/* Placeholder for fs/xfs/scrub/btree.c of Linux 6.1: only its name matters here. */
