/* Placeholder for ./xtables-addons/extensions/xt_LOGMARK.c of the Debian dkms package: only its name matters here. */
