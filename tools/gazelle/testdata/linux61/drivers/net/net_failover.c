/* Placeholder for drivers/net/net_failover.c of Linux 6.1: only its name matters here. */
