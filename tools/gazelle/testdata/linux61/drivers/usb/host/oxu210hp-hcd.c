/* Placeholder for drivers/usb/host/oxu210hp-hcd.c of Linux 6.1: only its name matters here. */
