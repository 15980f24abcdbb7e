/* Placeholder for net/mac80211/debugfs_sta.c of Linux 6.1: only its name matters here. */
