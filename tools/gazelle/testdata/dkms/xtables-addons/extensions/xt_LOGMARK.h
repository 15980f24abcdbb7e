/* Placeholder for ./xtables-addons/extensions/xt_LOGMARK.h of the Debian dkms package: only its name matters here. */
