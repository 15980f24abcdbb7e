/* Placeholder for drivers/net/ethernet/netronome/nfp/crypto/tls.c of Linux 6.1: only its name matters here. */
