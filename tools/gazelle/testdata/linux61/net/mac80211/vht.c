/* Placeholder for net/mac80211/vht.c of Linux 6.1: only its name matters here. */
