/* Placeholder for fs/isofs/joliet.c of Linux 6.1: only its name matters here. */
