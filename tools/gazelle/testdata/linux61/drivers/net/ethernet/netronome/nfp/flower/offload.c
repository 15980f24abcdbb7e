/* Placeholder for drivers/net/ethernet/netronome/nfp/flower/offload.c of Linux 6.1: only its name matters here. */
