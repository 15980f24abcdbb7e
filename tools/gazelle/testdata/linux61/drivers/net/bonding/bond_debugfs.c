/* Placeholder for drivers/net/bonding/bond_debugfs.c of Linux 6.1: only its name matters here. */
