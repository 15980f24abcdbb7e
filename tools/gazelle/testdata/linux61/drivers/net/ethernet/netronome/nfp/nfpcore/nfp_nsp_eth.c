/* Placeholder for drivers/net/ethernet/netronome/nfp/nfpcore/nfp_nsp_eth.c of Linux 6.1: only its name matters here. */
