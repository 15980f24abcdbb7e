/* Placeholder for drivers/usb/host/isp116x-hcd.c of Linux 6.1: only its name matters here. */
