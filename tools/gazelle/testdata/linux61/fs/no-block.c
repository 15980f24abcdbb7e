/* Placeholder for fs/no-block.c of Linux 6.1: only its name matters here. */
