/* Placeholder for drivers/net/ethernet/netronome/nfp/bpf/offload.c of Linux 6.1: only its name matters here. */
