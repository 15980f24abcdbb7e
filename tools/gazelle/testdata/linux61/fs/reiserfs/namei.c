/* Placeholder for fs/reiserfs/namei.c of Linux 6.1: only its name matters here. */
