/* Placeholder for drivers/net/ethernet/netronome/nfp/nfdk/dp.c of Linux 6.1: only its name matters here. */
