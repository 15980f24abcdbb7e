/* Placeholder for drivers/usb/host/fhci-sched.c of Linux 6.1: only its name matters here. */
