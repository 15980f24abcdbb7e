/* Placeholder for ./xtables-addons/extensions/xt_condition.h of the Debian dkms package: only its name matters here. */
