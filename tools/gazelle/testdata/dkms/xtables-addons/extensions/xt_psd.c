/* Placeholder for ./xtables-addons/extensions/xt_psd.c of the Debian dkms package: only its name matters here. */
