/* Placeholder for net/mac80211/fils_aead.c of Linux 6.1: only its name matters here. */
