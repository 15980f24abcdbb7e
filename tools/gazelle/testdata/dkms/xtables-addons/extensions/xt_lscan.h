/* Placeholder for ./xtables-addons/extensions/xt_lscan.h of the Debian dkms package: only its name matters here. */
