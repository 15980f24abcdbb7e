/* Placeholder for drivers/usb/host/xhci.c of Linux 6.1: only its name matters here. */
