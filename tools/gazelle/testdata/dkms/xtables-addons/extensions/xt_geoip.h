/* Placeholder for ./xtables-addons/extensions/xt_geoip.h of the Debian dkms package: only its name matters here. */
