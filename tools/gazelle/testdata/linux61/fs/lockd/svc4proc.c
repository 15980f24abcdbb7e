/* Placeholder for fs/lockd/svc4proc.c of Linux 6.1: only its name matters here. */
