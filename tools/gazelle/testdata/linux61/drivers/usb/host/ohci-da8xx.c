/* Placeholder for drivers/usb/host/ohci-da8xx.c of Linux 6.1: only its name matters here. */
