/* Placeholder for drivers/net/bonding/bond_sysfs_slave.c of Linux 6.1: only its name matters here. */
