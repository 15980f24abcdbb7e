/* Placeholder for fs/fhandle.c of Linux 6.1: only its name matters here. */
