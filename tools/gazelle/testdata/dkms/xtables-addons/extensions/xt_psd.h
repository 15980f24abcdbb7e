/* Placeholder for ./xtables-addons/extensions/xt_psd.h of the Debian dkms package: only its name matters here. */
