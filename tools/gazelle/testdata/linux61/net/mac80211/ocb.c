/* Placeholder for net/mac80211/ocb.c of Linux 6.1: only its name matters here. */
