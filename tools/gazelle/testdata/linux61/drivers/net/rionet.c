/* Placeholder for drivers/net/rionet.c of Linux 6.1: only its name matters here. */
