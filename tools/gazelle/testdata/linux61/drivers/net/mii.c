/* Placeholder for drivers/net/mii.c of Linux 6.1: only its name matters here. */
