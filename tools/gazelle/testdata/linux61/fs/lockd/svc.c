/* Placeholder for fs/lockd/svc.c of Linux 6.1: only its name matters here. */
