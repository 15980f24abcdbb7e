/* Placeholder for fs/fs-writeback.c of Linux 6.1: only its name matters here. */
