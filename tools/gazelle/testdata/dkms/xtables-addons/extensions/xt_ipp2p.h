/* Placeholder for ./xtables-addons/extensions/xt_ipp2p.h of the Debian dkms package: only its name matters here. */
