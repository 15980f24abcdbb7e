/* Placeholder for fs/fsopen.c of Linux 6.1: only its name matters here. */
