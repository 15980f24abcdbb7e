/* Placeholder for fs/xfs/xfs_bio_io.c of Linux 6.1: only its name matters here. */
