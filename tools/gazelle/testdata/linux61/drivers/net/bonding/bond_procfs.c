/* Placeholder for drivers/net/bonding/bond_procfs.c of Linux 6.1: only its name matters here. */
