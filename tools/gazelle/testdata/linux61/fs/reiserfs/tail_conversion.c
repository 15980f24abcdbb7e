/* Placeholder for fs/reiserfs/tail_conversion.c of Linux 6.1: only its name matters here. */
