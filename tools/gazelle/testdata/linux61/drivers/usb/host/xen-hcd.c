/* Placeholder for drivers/usb/host/xen-hcd.c of Linux 6.1: only its name matters here. */
