/* Placeholder for fs/readdir.c of Linux 6.1: only its name matters here. */
