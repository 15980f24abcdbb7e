/* Placeholder for fs/mbcache.c of Linux 6.1: only its name matters here. */
