/* Placeholder for drivers/net/tun.c of Linux 6.1: only its name matters here. */
