/* Placeholder for drivers/net/ethernet/netronome/nfp/abm/main.c of Linux 6.1: only its name matters here. */
