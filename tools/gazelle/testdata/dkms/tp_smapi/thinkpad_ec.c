/* Placeholder for ./tp_smapi/thinkpad_ec.c of the Debian dkms package: only its name matters here. */
