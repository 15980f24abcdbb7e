/* Placeholder for drivers/net/bonding/bond_alb.c of Linux 6.1: only its name matters here. */
