/* Placeholder for drivers/usb/host/ehci-pci.c of Linux 6.1: only its name matters here. */
