/* Placeholder for net/netfilter/ipvs/ip_vs_pe.c of Linux 6.1: only its name matters here. */
