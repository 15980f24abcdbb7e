/* Placeholder for fs/file_table.c of Linux 6.1: only its name matters here. */
