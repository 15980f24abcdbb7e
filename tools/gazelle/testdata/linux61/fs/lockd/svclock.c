/* Placeholder for fs/lockd/svclock.c of Linux 6.1: only its name matters here. */
