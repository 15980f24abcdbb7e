/* Placeholder for drivers/net/ethernet/netronome/nfp/ccm_mbox.c of Linux 6.1: only its name matters here. */
