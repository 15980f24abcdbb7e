/* Placeholder for net/netfilter/ipvs/ip_vs_pe_sip.c of Linux 6.1: only its name matters here. */
