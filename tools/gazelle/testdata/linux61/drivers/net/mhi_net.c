/* Placeholder for drivers/net/mhi_net.c of Linux 6.1: only its name matters here. */
