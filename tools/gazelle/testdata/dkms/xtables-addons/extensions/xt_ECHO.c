/* Placeholder for ./xtables-addons/extensions/xt_ECHO.c of the Debian dkms package: only its name matters here. */
