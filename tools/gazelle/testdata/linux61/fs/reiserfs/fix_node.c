/* Placeholder for fs/reiserfs/fix_node.c of Linux 6.1: only its name matters here. */
