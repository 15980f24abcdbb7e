/* Placeholder for drivers/net/thunderbolt.c of Linux 6.1: only its name matters here. */
