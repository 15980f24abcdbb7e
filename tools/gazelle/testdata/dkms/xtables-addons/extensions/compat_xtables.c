/* Placeholder for ./xtables-addons/extensions/compat_xtables.c of the Debian dkms package: only its name matters here. */
