/* Placeholder for net/netfilter/ipvs/ip_vs_proto_ah_esp.c of Linux 6.1: only its name matters here. */
