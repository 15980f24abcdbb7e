/* Placeholder for fs/lockd/svcproc.c of Linux 6.1: only its name matters here. */
