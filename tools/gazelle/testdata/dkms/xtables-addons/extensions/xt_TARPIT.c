/* Placeholder for ./xtables-addons/extensions/xt_TARPIT.c of the Debian dkms package: only its name matters here. */
