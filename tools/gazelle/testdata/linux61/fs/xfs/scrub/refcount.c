/* Placeholder for fs/xfs/scrub/refcount.c of Linux 6.1: only its name matters here. */
