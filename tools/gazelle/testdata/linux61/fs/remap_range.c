/* Placeholder for fs/remap_range.c of Linux 6.1: only its name matters here. */
