/* Placeholder for net/mac80211/ethtool.c of Linux 6.1: only its name matters here. */
