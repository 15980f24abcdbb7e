/* Placeholder for ./xtables-addons/extensions/xt_DNETMAP.c of the Debian dkms package: only its name matters here. */
