/* Placeholder for drivers/net/ethernet/netronome/nfp/flower/match.c of Linux 6.1: only its name matters here. */
