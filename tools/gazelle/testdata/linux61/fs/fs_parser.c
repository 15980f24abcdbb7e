/* Placeholder for fs/fs_parser.c of Linux 6.1: only its name matters here. */
