/* Placeholder for drivers/usb/host/fsl-mph-dr-of.c of Linux 6.1: only its name matters here. */
