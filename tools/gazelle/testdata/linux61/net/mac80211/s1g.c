/* Placeholder for net/mac80211/s1g.c of Linux 6.1: only its name matters here. */
