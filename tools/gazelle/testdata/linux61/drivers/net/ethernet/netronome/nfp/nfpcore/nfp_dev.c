/* Placeholder for drivers/net/ethernet/netronome/nfp/nfpcore/nfp_dev.c of Linux 6.1: only its name matters here. */
