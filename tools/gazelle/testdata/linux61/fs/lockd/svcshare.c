/* Placeholder for fs/lockd/svcshare.c of Linux 6.1: only its name matters here. */
