/* Placeholder for drivers/usb/host/max3421-hcd.c of Linux 6.1: only its name matters here. */
