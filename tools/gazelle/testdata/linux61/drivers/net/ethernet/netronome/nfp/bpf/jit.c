/* Placeholder for drivers/net/ethernet/netronome/nfp/bpf/jit.c of Linux 6.1: only its name matters here. */
