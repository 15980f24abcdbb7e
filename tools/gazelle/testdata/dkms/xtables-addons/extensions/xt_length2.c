/* Placeholder for ./xtables-addons/extensions/xt_length2.c of the Debian dkms package: only its name matters here. */
