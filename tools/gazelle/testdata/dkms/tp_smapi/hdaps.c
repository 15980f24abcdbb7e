/* Placeholder for ./tp_smapi/hdaps.c of the Debian dkms package: only its name matters here. */
