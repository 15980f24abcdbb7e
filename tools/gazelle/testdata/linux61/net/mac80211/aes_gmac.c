/* Placeholder for net/mac80211/aes_gmac.c of Linux 6.1: only its name matters here. */
