/* Placeholder for drivers/net/veth.c of Linux 6.1: only its name matters here. */
