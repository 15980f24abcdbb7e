/* Placeholder for fs/fs_context.c of Linux 6.1: only its name matters here. */
