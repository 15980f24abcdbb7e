/* Placeholder for fs/xfs/scrub/dabtree.c of Linux 6.1: only its name matters here. */
