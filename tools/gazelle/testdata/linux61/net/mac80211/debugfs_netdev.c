/* Placeholder for net/mac80211/debugfs_netdev.c of Linux 6.1: only its name matters here. */
