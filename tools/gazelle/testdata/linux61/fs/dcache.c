/* Placeholder for fs/dcache.c of Linux 6.1: only its name matters here. */
