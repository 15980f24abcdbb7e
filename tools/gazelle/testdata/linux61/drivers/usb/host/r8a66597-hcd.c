/* Placeholder for drivers/usb/host/r8a66597-hcd.c of Linux 6.1: only its name matters here. */
