/* Placeholder for drivers/usb/host/ohci-pxa27x.c of Linux 6.1: only its name matters here. */
