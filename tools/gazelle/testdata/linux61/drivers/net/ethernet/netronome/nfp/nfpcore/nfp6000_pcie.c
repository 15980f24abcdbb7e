/* Placeholder for drivers/net/ethernet/netronome/nfp/nfpcore/nfp6000_pcie.c of Linux 6.1: only its name matters here. */
