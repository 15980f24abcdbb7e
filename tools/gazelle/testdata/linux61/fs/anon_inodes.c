/* Placeholder for fs/anon_inodes.c of Linux 6.1: only its name matters here. */
