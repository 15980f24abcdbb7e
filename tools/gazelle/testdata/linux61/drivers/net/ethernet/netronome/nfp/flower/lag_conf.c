/* Placeholder for drivers/net/ethernet/netronome/nfp/flower/lag_conf.c of Linux 6.1: only its name matters here. */
