/* Placeholder for fs/eventfd.c of Linux 6.1: only its name matters here. */
