/* Placeholder for fs/fs_pin.c of Linux 6.1: only its name matters here. */
