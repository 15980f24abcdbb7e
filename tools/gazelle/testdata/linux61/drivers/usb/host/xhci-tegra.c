/* Placeholder for drivers/usb/host/xhci-tegra.c of Linux 6.1: only its name matters here. */
