/* Placeholder for fs/reiserfs/lock.c of Linux 6.1: only its name matters here. */
