/* Placeholder for drivers/usb/host/octeon-hcd.c of Linux 6.1: only its name matters here. */
