/* Placeholder for ./xtables-addons/extensions/xt_IPMARK.c of the Debian dkms package: only its name matters here. */
