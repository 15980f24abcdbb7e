/* Placeholder for fs/direct-io.c of Linux 6.1: only its name matters here. */
