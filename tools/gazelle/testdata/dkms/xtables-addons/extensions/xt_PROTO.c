/* Placeholder for ./xtables-addons/extensions/xt_PROTO.c of the Debian dkms package: only its name matters here. */
