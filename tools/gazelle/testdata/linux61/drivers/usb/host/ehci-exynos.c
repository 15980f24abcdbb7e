/* Placeholder for drivers/usb/host/ehci-exynos.c of Linux 6.1: only its name matters here. */
