/* Placeholder for ./xtables-addons/extensions/xt_DHCPMAC.h of the Debian dkms package: only its name matters here. */
