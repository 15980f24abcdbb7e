/* Placeholder for drivers/net/ipvlan/ipvtap.c of Linux 6.1: only its name matters here. */
