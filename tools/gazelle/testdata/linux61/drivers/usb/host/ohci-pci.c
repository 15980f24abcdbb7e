/* Placeholder for drivers/usb/host/ohci-pci.c of Linux 6.1: only its name matters here. */
