/* Placeholder for fs/reiserfs/lbalance.c of Linux 6.1: only its name matters here. */
