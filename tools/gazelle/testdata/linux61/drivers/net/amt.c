/* Placeholder for drivers/net/amt.c of Linux 6.1: only its name matters here. */
