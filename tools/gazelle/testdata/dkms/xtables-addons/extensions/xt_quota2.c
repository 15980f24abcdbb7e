/* Placeholder for ./xtables-addons/extensions/xt_quota2.c of the Debian dkms package: only its name matters here. */
