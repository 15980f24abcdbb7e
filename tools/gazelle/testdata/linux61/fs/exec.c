/* Placeholder for fs/exec.c of Linux 6.1: only its name matters here. */
