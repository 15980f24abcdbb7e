/* Placeholder for ./xtables-addons/extensions/xt_condition.c of the Debian dkms package: only its name matters here. */
