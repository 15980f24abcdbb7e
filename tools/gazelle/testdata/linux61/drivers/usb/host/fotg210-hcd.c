/* Placeholder for drivers/usb/host/fotg210-hcd.c of Linux 6.1: only its name matters here. */
