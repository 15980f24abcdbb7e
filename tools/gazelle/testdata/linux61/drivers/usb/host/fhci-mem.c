/* Placeholder for drivers/usb/host/fhci-mem.c of Linux 6.1: only its name matters here. */
