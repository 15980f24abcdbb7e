/* Placeholder for ./xtables-addons/extensions/xt_quota2.h of the Debian dkms package: only its name matters here. */
