/* Placeholder for fs/lockd/clntlock.c of Linux 6.1: only its name matters here. */
