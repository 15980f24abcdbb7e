/* Placeholder for drivers/net/netconsole.c of Linux 6.1: only its name matters here. */
