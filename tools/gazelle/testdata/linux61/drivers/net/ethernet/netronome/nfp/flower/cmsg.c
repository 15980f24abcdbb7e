/* Placeholder for drivers/net/ethernet/netronome/nfp/flower/cmsg.c of Linux 6.1: only its name matters here. */
