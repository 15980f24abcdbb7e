/* Placeholder for ./v4l2loopback/v4l2loopback_formats.h of the Debian dkms package: only its name matters here. */
