/* Placeholder for drivers/usb/host/sl811_cs.c of Linux 6.1: only its name matters here. */
