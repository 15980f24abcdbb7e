/* Placeholder for net/mac80211/mesh_pathtbl.c of Linux 6.1: only its name matters here. */
