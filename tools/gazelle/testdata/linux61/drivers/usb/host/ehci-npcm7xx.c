/* Placeholder for drivers/usb/host/ehci-npcm7xx.c of Linux 6.1: only its name matters here. */
