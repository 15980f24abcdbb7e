/* Placeholder for drivers/net/ethernet/netronome/nfp/nfp_shared_buf.c of Linux 6.1: only its name matters here. */
