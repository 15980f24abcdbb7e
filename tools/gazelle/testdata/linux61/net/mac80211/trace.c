/* Placeholder for net/mac80211/trace.c of Linux 6.1: only its name matters here. */
