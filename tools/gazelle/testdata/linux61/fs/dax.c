/* Placeholder for fs/dax.c of Linux 6.1: only its name matters here. */
