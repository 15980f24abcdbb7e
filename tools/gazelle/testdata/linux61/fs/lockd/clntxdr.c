/* Placeholder for fs/lockd/clntxdr.c of Linux 6.1: only its name matters here. */
