/* Placeholder for fs/char_dev.c of Linux 6.1: only its name matters here. */
