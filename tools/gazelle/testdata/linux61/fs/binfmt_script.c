/* Placeholder for fs/binfmt_script.c of Linux 6.1: only its name matters here. */
