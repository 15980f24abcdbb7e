/* Placeholder for fs/binfmt_elf.c of Linux 6.1: only its name matters here. */
