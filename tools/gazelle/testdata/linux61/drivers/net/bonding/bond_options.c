/* Placeholder for drivers/net/bonding/bond_options.c of Linux 6.1: only its name matters here. */
