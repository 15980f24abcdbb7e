/* Placeholder for fs/reiserfs/file.c of Linux 6.1: only its name matters here. */
