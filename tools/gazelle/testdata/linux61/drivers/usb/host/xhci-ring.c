/* Placeholder for drivers/usb/host/xhci-ring.c of Linux 6.1: only its name matters here. */
