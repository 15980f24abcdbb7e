/* Placeholder for net/mac80211/led.c of Linux 6.1: only its name matters here. */
