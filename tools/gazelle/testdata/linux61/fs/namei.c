/* Placeholder for fs/namei.c of Linux 6.1: only its name matters here. */
