/* Placeholder for fs/reiserfs/procfs.c of Linux 6.1: only its name matters here. */
