/* Placeholder for fs/reiserfs/do_balan.c of Linux 6.1: only its name matters here. */
