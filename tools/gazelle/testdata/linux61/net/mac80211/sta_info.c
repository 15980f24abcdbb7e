/* Placeholder for net/mac80211/sta_info.c of Linux 6.1: only its name matters here. */
