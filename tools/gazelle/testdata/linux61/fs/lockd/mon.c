/* Placeholder for fs/lockd/mon.c of Linux 6.1: only its name matters here. */
