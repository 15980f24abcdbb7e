/* Placeholder for fs/lockd/xdr.c of Linux 6.1: only its name matters here. */
