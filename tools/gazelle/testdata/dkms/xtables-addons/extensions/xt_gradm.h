/* Placeholder for ./xtables-addons/extensions/xt_gradm.h of the Debian dkms package: only its name matters here. */
