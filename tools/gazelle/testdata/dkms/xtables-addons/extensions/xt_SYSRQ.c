/* Placeholder for ./xtables-addons/extensions/xt_SYSRQ.c of the Debian dkms package: only its name matters here. */
