/* Placeholder for drivers/usb/host/ohci-at91.c of Linux 6.1: only its name matters here. */
