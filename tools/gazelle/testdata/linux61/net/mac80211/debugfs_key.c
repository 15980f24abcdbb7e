/* Placeholder for net/mac80211/debugfs_key.c of Linux 6.1: only its name matters here. */
