/* Placeholder for ./xtables-addons/extensions/ACCOUNT/xt_ACCOUNT.h of the Debian dkms package: only its name matters here. */
