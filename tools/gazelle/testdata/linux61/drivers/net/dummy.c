/* Placeholder for drivers/net/dummy.c of Linux 6.1: only its name matters here. */
