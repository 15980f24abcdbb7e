/* Placeholder for net/mac80211/mesh_hwmp.c of Linux 6.1: only its name matters here. */
