/* Placeholder for ./xtables-addons/extensions/xt_DELUDE.c of the Debian dkms package: only its name matters here. */
