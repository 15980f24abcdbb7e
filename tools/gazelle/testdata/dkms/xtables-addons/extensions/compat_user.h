/* Placeholder for ./xtables-addons/extensions/compat_user.h of the Debian dkms package: only its name matters here. */
