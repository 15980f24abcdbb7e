/* Placeholder for fs/lockd/clnt4xdr.c of Linux 6.1: only its name matters here. */
