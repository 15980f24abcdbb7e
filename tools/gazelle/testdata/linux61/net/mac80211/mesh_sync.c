/* Placeholder for net/mac80211/mesh_sync.c of Linux 6.1: only its name matters here. */
