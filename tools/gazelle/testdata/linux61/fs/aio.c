/* Placeholder for fs/aio.c of Linux 6.1: only its name matters here. */
