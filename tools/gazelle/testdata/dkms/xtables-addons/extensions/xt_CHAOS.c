/* Placeholder for ./xtables-addons/extensions/xt_CHAOS.c of the Debian dkms package: only its name matters here. */
