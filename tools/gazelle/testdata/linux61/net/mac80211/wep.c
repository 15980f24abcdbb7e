/* Placeholder for net/mac80211/wep.c of Linux 6.1: only its name matters here. */
