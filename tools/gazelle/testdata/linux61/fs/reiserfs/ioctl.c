/* Placeholder for fs/reiserfs/ioctl.c of Linux 6.1: only its name matters here. */
