/* Placeholder for drivers/net/ethernet/netronome/nfp/nfp_net_sriov.c of Linux 6.1: only its name matters here. */
