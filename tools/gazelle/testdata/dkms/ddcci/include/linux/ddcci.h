/* Placeholder for ./ddcci/include/linux/ddcci.h of the Debian dkms package: only its name matters here. */
