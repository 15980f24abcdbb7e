/* Placeholder for drivers/usb/host/fhci-q.c of Linux 6.1: only its name matters here. */
