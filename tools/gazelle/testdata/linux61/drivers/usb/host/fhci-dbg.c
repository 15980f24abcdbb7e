/* Placeholder for drivers/usb/host/fhci-dbg.c of Linux 6.1: only its name matters here. */
