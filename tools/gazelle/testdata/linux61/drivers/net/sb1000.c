/* Placeholder for drivers/net/sb1000.c of Linux 6.1: only its name matters here. */
