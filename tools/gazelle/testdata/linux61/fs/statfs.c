/* Placeholder for fs/statfs.c of Linux 6.1: only its name matters here. */
