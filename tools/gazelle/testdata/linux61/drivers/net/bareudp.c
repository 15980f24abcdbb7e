/* Placeholder for drivers/net/bareudp.c of Linux 6.1: only its name matters here. */
