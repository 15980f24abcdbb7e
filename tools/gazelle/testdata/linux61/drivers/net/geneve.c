/* Placeholder for drivers/net/geneve.c of Linux 6.1: only its name matters here. */
