/* Placeholder for drivers/usb/host/ohci-spear.c of Linux 6.1: only its name matters here. */
