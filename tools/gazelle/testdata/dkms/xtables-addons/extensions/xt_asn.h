/* Placeholder for ./xtables-addons/extensions/xt_asn.h of the Debian dkms package: only its name matters here. */
