/* Placeholder for ./xtables-addons/extensions/ACCOUNT/xt_ACCOUNT.c of the Debian dkms package: only its name matters here. */
