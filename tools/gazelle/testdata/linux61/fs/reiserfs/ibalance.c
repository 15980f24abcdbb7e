/* Placeholder for fs/reiserfs/ibalance.c of Linux 6.1: only its name matters here. */
