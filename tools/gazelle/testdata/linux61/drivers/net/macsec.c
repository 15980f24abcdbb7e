/* Placeholder for drivers/net/macsec.c of Linux 6.1: only its name matters here. */
