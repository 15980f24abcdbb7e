/* Placeholder for drivers/net/virtio_net.c of Linux 6.1: only its name matters here. */
