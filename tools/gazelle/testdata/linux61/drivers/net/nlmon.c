/* Placeholder for drivers/net/nlmon.c of Linux 6.1: only its name matters here. */
