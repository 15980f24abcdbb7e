/* Placeholder for ./ddcci/ddcci-backlight/ddcci-backlight.c of the Debian dkms package: only its name matters here. */
