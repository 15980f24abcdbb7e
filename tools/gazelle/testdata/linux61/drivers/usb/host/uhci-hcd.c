/* Placeholder for drivers/usb/host/uhci-hcd.c of Linux 6.1: only its name matters here. */
