/* Placeholder for ./xtables-addons/extensions/xt_lscan.c of the Debian dkms package: only its name matters here. */
