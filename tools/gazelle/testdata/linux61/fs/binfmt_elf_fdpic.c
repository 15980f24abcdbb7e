/* Placeholder for fs/binfmt_elf_fdpic.c of Linux 6.1: only its name matters here. */
