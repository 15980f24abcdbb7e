/* Placeholder for fs/pipe.c of Linux 6.1: only its name matters here. */
