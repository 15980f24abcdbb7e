/* Placeholder for ./ddcci/ddcci/ddcci.c of the Debian dkms package: only its name matters here. */
