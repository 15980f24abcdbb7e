#!/usr/bin/env bash
# Fetch real kernel modules for the modsign tests and benchmark.
#
# Downloads Debian bookworm's linux-image-6.1.*-amd64 package (the one the
# linux-image-amd64 metapackage currently points at, or $MODSIGN_DEB_PACKAGE),
# unpacks it and strips Debian's module signatures, leaving unsigned .ko files
# under $MODSIGN_TEST_MODULES (default ~/.cache/rules_modsign/debian-modules).
# Tests look there; nothing is written inside the repository.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/rules_modsign"
dest="${MODSIGN_TEST_MODULES:-$cache/debian-modules}"

if [ -f "$dest/.complete" ]; then
	echo "modules already in $dest ($(cat "$dest/.complete"))"
	exit 0
fi

pkg="${MODSIGN_DEB_PACKAGE:-}"
if [ -z "$pkg" ]; then
	pkg="$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n1)"
fi
if [ -z "$pkg" ]; then
	echo "fetch-modules: cannot find a linux-image-6.1.*-amd64 package; set MODSIGN_DEB_PACKAGE" >&2
	exit 1
fi

mkdir -p "$cache/debs"
(cd "$cache/debs" && apt-get download "$pkg")
deb="$(ls -t "$cache/debs/${pkg}"_*.deb | head -n1)"

tmp="$(mktemp -d "$cache/unpack.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/root"
mkdir -p "$tmp/modules"
(cd "$tmp/root/lib/modules" && find . -name '*.ko' -print0 | cpio -0 -pdm --quiet "$tmp/modules")
# Debian's modules come signed by its ephemeral build key: strip them.
(cd "$repo" && go build -o "$tmp/modsign" ./signer/cmd/modsign)
find "$tmp/modules" -name '*.ko' -print0 | xargs -0 -n 500 "$tmp/modsign" strip
echo "$(basename "$deb")" > "$tmp/modules/.complete"
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$tmp/modules" "$dest"
echo "$(find "$dest" -name '*.ko' | wc -l) unsigned modules in $dest"
