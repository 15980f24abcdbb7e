/* Placeholder for drivers/net/ethernet/netronome/nfp/nfp_app_nic.c of Linux 6.1: only its name matters here. */
