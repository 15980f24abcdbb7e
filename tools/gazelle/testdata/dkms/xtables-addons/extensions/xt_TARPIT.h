/* Placeholder for ./xtables-addons/extensions/xt_TARPIT.h of the Debian dkms package: only its name matters here. */
