#!/usr/bin/env bash
# A stand-in for a release signer outside the build: reads a digest list written by
# kernel_module_digests and signs every digest with `openssl pkeyutl`, writing the signature
# list kernel_modules_attached takes. Only OpenSSL and coreutils, nothing from modsign.
#
# Usage: release_signer.sh KEY DIGESTS OUT
set -euo pipefail
key=$1 digests=$2 out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
{
  echo "# signatures from $(openssl version)"
  while read -r kind hex name; do
    case "$kind" in
      '#'* | '') continue ;;
      digest:*) ;;
      *) echo "release_signer: $digests: unexpected kind $kind" >&2; exit 1 ;;
    esac
    # hex -> binary with printf's \x escapes, binary -> hex with od.
    printf "$(sed 's/../\\x&/g' <<<"$hex")" >"$tmp/d"
    openssl pkeyutl -sign -inkey "$key" -pkeyopt "digest:${kind#digest:}" -in "$tmp/d" -out "$tmp/s"
    echo "sig $(od -An -v -tx1 "$tmp/s" | tr -d ' \n') $name"
    n=$((n + 1))
  done <"$digests"
} >"$out"
((n > 0)) || { echo "release_signer: no digest in $digests" >&2; exit 1; }
