/* Placeholder for drivers/usb/host/ehci-atmel.c of Linux 6.1: only its name matters here. */
