/* Placeholder for drivers/net/ipvlan/ipvlan_main.c of Linux 6.1: only its name matters here. */
