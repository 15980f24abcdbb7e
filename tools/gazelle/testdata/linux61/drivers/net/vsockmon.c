/* Placeholder for drivers/net/vsockmon.c of Linux 6.1: only its name matters here. */
