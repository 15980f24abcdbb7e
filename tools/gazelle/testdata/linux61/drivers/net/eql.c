/* Placeholder for drivers/net/eql.c of Linux 6.1: only its name matters here. */
