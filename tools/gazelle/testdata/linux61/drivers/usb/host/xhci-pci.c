/* Placeholder for drivers/usb/host/xhci-pci.c of Linux 6.1: only its name matters here. */
