/* Placeholder for drivers/net/ipvlan/ipvlan_l3s.c of Linux 6.1: only its name matters here. */
