/* Placeholder for ./xtables-addons/extensions/xt_PROTO.h of the Debian dkms package: only its name matters here. */
