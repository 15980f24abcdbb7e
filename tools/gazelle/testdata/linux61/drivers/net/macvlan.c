/* Placeholder for drivers/net/macvlan.c of Linux 6.1: only its name matters here. */
