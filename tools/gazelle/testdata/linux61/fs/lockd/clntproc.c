/* Placeholder for fs/lockd/clntproc.c of Linux 6.1: only its name matters here. */
