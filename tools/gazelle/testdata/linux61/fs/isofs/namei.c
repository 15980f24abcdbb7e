/* Placeholder for fs/isofs/namei.c of Linux 6.1: only its name matters here. */
