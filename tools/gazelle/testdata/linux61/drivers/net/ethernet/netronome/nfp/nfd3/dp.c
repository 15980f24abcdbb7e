/* Placeholder for drivers/net/ethernet/netronome/nfp/nfd3/dp.c of Linux 6.1: only its name matters here. */
