/* Placeholder for drivers/usb/host/ohci-s3c2410.c of Linux 6.1: only its name matters here. */
