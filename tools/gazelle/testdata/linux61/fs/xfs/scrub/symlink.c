/* Placeholder for fs/xfs/scrub/symlink.c of Linux 6.1: only its name matters here. */
