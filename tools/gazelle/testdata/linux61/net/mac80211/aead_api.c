/* Placeholder for net/mac80211/aead_api.c of Linux 6.1: only its name matters here. */
