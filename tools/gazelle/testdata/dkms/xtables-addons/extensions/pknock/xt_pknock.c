/* Placeholder for ./xtables-addons/extensions/pknock/xt_pknock.c of the Debian dkms package: only its name matters here. */
