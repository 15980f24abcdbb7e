/* Placeholder for ./xtables-addons/extensions/compat_xtables.h of the Debian dkms package: only its name matters here. */
