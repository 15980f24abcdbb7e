/* Placeholder for ./xtables-addons/extensions/xt_ipv4options.h of the Debian dkms package: only its name matters here. */
