/* Placeholder for drivers/usb/host/sl811-hcd.c of Linux 6.1: only its name matters here. */
