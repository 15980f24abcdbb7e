/* Placeholder for fs/seq_file.c of Linux 6.1: only its name matters here. */
