/* Placeholder for net/netfilter/ipvs/ip_vs_est.c of Linux 6.1: only its name matters here. */
