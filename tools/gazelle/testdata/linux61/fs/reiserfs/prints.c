/* Placeholder for fs/reiserfs/prints.c of Linux 6.1: only its name matters here. */
