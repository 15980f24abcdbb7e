/* Placeholder for fs/reiserfs/super.c of Linux 6.1: only its name matters here. */
