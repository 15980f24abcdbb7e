/* Placeholder for drivers/usb/host/u132-hcd.c of Linux 6.1: only its name matters here. */
