/* Placeholder for drivers/net/macvtap.c of Linux 6.1: only its name matters here. */
