/* Placeholder for drivers/net/ethernet/netronome/nfp/nfp_hwmon.c of Linux 6.1: only its name matters here. */
