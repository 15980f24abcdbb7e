/* Placeholder for fs/reiserfs/item_ops.c of Linux 6.1: only its name matters here. */
