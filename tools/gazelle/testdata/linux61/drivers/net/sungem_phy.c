/* Placeholder for drivers/net/sungem_phy.c of Linux 6.1: only its name matters here. */
