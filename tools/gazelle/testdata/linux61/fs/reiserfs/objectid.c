/* Placeholder for fs/reiserfs/objectid.c of Linux 6.1: only its name matters here. */
