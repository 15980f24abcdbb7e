/* Placeholder for drivers/usb/host/isp1362-hcd.c of Linux 6.1: only its name matters here. */
