/* Placeholder for drivers/usb/host/ehci-mv.c of Linux 6.1: only its name matters here. */
