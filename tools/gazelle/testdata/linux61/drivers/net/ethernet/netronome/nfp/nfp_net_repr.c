/* Placeholder for drivers/net/ethernet/netronome/nfp/nfp_net_repr.c of Linux 6.1: only its name matters here. */
