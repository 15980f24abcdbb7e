/* Placeholder for drivers/usb/host/ehci-fsl.c of Linux 6.1: only its name matters here. */
