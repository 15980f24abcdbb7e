/* Placeholder for net/mac80211/pm.c of Linux 6.1: only its name matters here. */
