/* Placeholder for ./xtables-addons/extensions/xt_DHCPMAC.c of the Debian dkms package: only its name matters here. */
