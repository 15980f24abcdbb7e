/* Placeholder for fs/d_path.c of Linux 6.1: only its name matters here. */
