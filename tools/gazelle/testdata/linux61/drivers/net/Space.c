/* Placeholder for drivers/net/Space.c of Linux 6.1: only its name matters here. */
