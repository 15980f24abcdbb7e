/* Placeholder for net/mac80211/spectmgmt.c of Linux 6.1: only its name matters here. */
