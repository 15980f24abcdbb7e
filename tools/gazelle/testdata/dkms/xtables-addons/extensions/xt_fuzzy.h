/* Placeholder for ./xtables-addons/extensions/xt_fuzzy.h of the Debian dkms package: only its name matters here. */
