/* Placeholder for ./xtables-addons/extensions/xt_CHAOS.h of the Debian dkms package: only its name matters here. */
