/* Placeholder for fs/filesystems.c of Linux 6.1: only its name matters here. */
