/* Placeholder for net/mac80211/rx.c of Linux 6.1: only its name matters here. */
