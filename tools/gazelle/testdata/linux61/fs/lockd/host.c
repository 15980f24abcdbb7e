/* Placeholder for fs/lockd/host.c of Linux 6.1: only its name matters here. */
