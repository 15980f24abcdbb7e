/* Placeholder for fs/reiserfs/bitmap.c of Linux 6.1: only its name matters here. */
