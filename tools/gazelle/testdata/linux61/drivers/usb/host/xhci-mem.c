/* Placeholder for drivers/usb/host/xhci-mem.c of Linux 6.1: only its name matters here. */
