/* Placeholder for fs/reiserfs/journal.c of Linux 6.1: only its name matters here. */
