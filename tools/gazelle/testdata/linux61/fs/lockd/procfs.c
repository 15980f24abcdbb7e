/* Placeholder for fs/lockd/procfs.c of Linux 6.1: only its name matters here. */
