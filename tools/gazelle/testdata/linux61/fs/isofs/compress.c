/* Placeholder for fs/isofs/compress.c of Linux 6.1: only its name matters here. */
