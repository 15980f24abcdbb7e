/* Placeholder for ./xtables-addons/extensions/xt_DNETMAP.h of the Debian dkms package: only its name matters here. */
