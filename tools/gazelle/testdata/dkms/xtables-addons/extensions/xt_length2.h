/* Placeholder for ./xtables-addons/extensions/xt_length2.h of the Debian dkms package: only its name matters here. */
