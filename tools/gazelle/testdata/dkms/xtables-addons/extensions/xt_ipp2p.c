/* Placeholder for ./xtables-addons/extensions/xt_ipp2p.c of the Debian dkms package: only its name matters here. */
