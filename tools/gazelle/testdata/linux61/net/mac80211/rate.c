/* Placeholder for net/mac80211/rate.c of Linux 6.1: only its name matters here. */
