/* Placeholder for drivers/net/ifb.c of Linux 6.1: only its name matters here. */
