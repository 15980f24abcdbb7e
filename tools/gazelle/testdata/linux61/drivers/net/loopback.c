/* Placeholder for drivers/net/loopback.c of Linux 6.1: only its name matters here. */
