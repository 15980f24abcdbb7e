/* Placeholder for drivers/net/mdio.c of Linux 6.1: only its name matters here. */
