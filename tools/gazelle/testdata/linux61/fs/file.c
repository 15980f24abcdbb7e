/* Placeholder for fs/file.c of Linux 6.1: only its name matters here. */
