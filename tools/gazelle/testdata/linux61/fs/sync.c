/* Placeholder for fs/sync.c of Linux 6.1: only its name matters here. */
