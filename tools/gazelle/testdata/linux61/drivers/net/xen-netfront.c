/* Placeholder for drivers/net/xen-netfront.c of Linux 6.1: only its name matters here. */
