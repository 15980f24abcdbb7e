/* Placeholder for drivers/usb/host/ohci-platform.c of Linux 6.1: only its name matters here. */
