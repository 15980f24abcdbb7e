/* Placeholder for fs/binfmt_flat.c of Linux 6.1: only its name matters here. */
