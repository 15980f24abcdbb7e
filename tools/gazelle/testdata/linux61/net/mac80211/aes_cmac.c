/* Placeholder for net/mac80211/aes_cmac.c of Linux 6.1: only its name matters here. */
