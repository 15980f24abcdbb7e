/* Placeholder for fs/isofs/export.c of Linux 6.1: only its name matters here. */
