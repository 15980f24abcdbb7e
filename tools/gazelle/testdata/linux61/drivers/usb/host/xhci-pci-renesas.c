/* Placeholder for drivers/usb/host/xhci-pci-renesas.c of Linux 6.1: only its name matters here. */
