/* Placeholder for drivers/usb/host/pci-quirks.c of Linux 6.1: only its name matters here. */
