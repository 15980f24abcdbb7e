/* Placeholder for drivers/net/vrf.c of Linux 6.1: only its name matters here. */
