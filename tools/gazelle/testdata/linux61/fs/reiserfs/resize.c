/* Placeholder for fs/reiserfs/resize.c of Linux 6.1: only its name matters here. */
