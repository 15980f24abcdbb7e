/* Placeholder for ./xtables-addons/extensions/xt_iface.h of the Debian dkms package: only its name matters here. */
