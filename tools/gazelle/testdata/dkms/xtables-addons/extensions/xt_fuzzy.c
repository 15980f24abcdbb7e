/* Placeholder for ./xtables-addons/extensions/xt_fuzzy.c of the Debian dkms package: only its name matters here. */
