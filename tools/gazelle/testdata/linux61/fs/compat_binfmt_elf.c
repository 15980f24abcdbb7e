/* Placeholder for fs/compat_binfmt_elf.c of Linux 6.1: only its name matters here. */
