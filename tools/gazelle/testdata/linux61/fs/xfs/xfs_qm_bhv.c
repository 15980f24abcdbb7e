/* Placeholder for fs/xfs/xfs_qm_bhv.c of Linux 6.1: only its name matters here. */
