/* Placeholder for fs/reiserfs/hashes.c of Linux 6.1: only its name matters here. */
