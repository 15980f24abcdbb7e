/* Placeholder for ./v4l2loopback/v4l2loopback.c of the Debian dkms package: only its name matters here. */
