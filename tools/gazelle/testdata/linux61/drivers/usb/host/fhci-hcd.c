/* Placeholder for drivers/usb/host/fhci-hcd.c of Linux 6.1: only its name matters here. */
