/* Placeholder for ./xtables-addons/extensions/xt_IPMARK.h of the Debian dkms package: only its name matters here. */
