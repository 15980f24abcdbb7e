/* Placeholder for drivers/usb/host/ohci-nxp.c of Linux 6.1: only its name matters here. */
