/* Placeholder for fs/reiserfs/dir.c of Linux 6.1: only its name matters here. */
