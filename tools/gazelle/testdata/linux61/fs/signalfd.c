/* Placeholder for fs/signalfd.c of Linux 6.1: only its name matters here. */
