/* Placeholder for ./xtables-addons/extensions/xt_asn.c of the Debian dkms package: only its name matters here. */
