/* Placeholder for drivers/usb/host/ehci-omap.c of Linux 6.1: only its name matters here. */
