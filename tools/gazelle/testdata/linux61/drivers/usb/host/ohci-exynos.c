/* Placeholder for drivers/usb/host/ohci-exynos.c of Linux 6.1: only its name matters here. */
