/* Placeholder for net/netfilter/ipvs/ip_vs_lc.c of Linux 6.1: only its name matters here. */
