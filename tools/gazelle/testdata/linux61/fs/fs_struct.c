/* Placeholder for fs/fs_struct.c of Linux 6.1: only its name matters here. */
