/* Placeholder for drivers/net/ntb_netdev.c of Linux 6.1: only its name matters here. */
