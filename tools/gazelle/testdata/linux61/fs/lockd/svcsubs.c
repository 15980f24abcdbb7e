/* Placeholder for fs/lockd/svcsubs.c of Linux 6.1: only its name matters here. */
