/* Placeholder for drivers/net/ethernet/netronome/nfp/bpf/cmsg.c of Linux 6.1: only its name matters here. */
