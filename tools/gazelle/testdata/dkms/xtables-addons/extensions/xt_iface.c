/* Placeholder for ./xtables-addons/extensions/xt_iface.c of the Debian dkms package: only its name matters here. */
