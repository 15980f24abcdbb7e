/* Placeholder for net/mac80211/mesh.c of Linux 6.1: only its name matters here. */
