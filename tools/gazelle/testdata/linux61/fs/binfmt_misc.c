/* Placeholder for fs/binfmt_misc.c of Linux 6.1: only its name matters here. */
