/* Placeholder for net/mac80211/mesh_ps.c of Linux 6.1: only its name matters here. */
