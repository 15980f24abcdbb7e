/* Placeholder for drivers/net/ethernet/netronome/nfp/ccm.c of Linux 6.1: only its name matters here. */
