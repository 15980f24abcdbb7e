/* Placeholder for fs/isofs/util.c of Linux 6.1: only its name matters here. */
