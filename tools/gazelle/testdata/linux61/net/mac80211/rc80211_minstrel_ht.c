/* Placeholder for net/mac80211/rc80211_minstrel_ht.c of Linux 6.1: only its name matters here. */
