/* Placeholder for fs/drop_caches.c of Linux 6.1: only its name matters here. */
