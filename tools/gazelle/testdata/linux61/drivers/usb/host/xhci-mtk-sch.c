/* Placeholder for drivers/usb/host/xhci-mtk-sch.c of Linux 6.1: only its name matters here. */
