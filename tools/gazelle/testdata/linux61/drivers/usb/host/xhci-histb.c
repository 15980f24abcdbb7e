/* Placeholder for drivers/usb/host/xhci-histb.c of Linux 6.1: only its name matters here. */
