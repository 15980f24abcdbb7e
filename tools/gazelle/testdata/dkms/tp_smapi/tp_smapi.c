/* Placeholder for ./tp_smapi/tp_smapi.c of the Debian dkms package: only its name matters here. */
