/* Placeholder for drivers/usb/host/fhci-tds.c of Linux 6.1: only its name matters here. */
