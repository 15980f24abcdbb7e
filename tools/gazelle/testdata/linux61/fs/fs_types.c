/* Placeholder for fs/fs_types.c of Linux 6.1: only its name matters here. */
