/* Placeholder for drivers/usb/host/ehci-platform.c of Linux 6.1: only its name matters here. */
