/* Placeholder for ./xtables-addons/extensions/compat_skbuff.h of the Debian dkms package: only its name matters here. */
