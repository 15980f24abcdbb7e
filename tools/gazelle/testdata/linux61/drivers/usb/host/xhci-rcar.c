/* Placeholder for drivers/usb/host/xhci-rcar.c of Linux 6.1: only its name matters here. */
