/* Placeholder for net/mac80211/mlme.c of Linux 6.1: only its name matters here. */
