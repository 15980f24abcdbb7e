/* Placeholder for drivers/net/tap.c of Linux 6.1: only its name matters here. */
