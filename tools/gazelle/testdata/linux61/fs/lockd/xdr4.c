/* Placeholder for fs/lockd/xdr4.c of Linux 6.1: only its name matters here. */
