/* Placeholder for drivers/net/ethernet/netronome/nfp/devlink_param.c of Linux 6.1: only its name matters here. */
