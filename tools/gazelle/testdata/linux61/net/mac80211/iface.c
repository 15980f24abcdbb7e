/* Placeholder for net/mac80211/iface.c of Linux 6.1: only its name matters here. */
