/* Placeholder for drivers/net/ethernet/netronome/nfp/abm/cls.c of Linux 6.1: only its name matters here. */
