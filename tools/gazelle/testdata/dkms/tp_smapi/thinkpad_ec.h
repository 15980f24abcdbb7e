/* Placeholder for ./tp_smapi/thinkpad_ec.h of the Debian dkms package: only its name matters here. */
