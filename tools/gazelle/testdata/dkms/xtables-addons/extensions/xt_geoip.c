/* Placeholder for ./xtables-addons/extensions/xt_geoip.c of the Debian dkms package: only its name matters here. */
