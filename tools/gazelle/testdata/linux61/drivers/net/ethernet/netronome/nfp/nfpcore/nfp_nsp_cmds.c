/* Placeholder for drivers/net/ethernet/netronome/nfp/nfpcore/nfp_nsp_cmds.c of Linux 6.1: only its name matters here. */
