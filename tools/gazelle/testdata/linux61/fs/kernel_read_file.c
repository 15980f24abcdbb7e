/* Placeholder for fs/kernel_read_file.c of Linux 6.1: only its name matters here. */
