/* Placeholder for fs/reiserfs/stree.c of Linux 6.1: only its name matters here. */
