/* Placeholder for drivers/net/ethernet/netronome/nfp/nfp_net_dp.c of Linux 6.1: only its name matters here. */
