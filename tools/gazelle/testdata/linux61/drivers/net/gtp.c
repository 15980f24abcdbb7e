/* Placeholder for drivers/net/gtp.c of Linux 6.1: only its name matters here. */
