/* Placeholder for fs/isofs/dir.c of Linux 6.1: only its name matters here. */
