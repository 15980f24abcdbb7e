/* Placeholder for net/mac80211/util.c of Linux 6.1: only its name matters here. */
