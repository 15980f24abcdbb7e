/* Placeholder for drivers/usb/host/xhci-ext-caps.c of Linux 6.1: only its name matters here. */
