#!/usr/bin/env bash
# A stand-in for a release signer outside the build: reads a digest list written by
# kernel_module_digests and signs every entry with `openssl pkeyutl`, writing the signature
# list kernel_modules_attached takes. Only OpenSSL and coreutils, nothing from modsign.
# digest:HASH entries are signed as prehashed digests (RSA, ECDSA); ML-DSA entries need
# OpenSSL 3.5+: mu:* as the external mu (-pkeyopt mu:1), signed-attrs:* as a message
# (-rawin), both in FIPS 204's deterministic mode (-pkeyopt deterministic:1), so the result is
# comparable byte for byte with modsign's deterministic signatures.
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
      digest:*) opts=(-pkeyopt "digest:${kind#digest:}") ;;
      mu:*) opts=(-pkeyopt mu:1 -pkeyopt deterministic:1) ;;
      signed-attrs:*) opts=(-rawin -pkeyopt deterministic:1) ;;
      *) echo "release_signer: $digests: unexpected kind $kind" >&2; exit 1 ;;
    esac
    # hex -> binary with printf's \x escapes, binary -> hex with od.
    printf "$(sed 's/../\\x&/g' <<<"$hex")" >"$tmp/d"
    openssl pkeyutl -sign -inkey "$key" "${opts[@]}" -in "$tmp/d" -out "$tmp/s"
    echo "sig $(od -An -v -tx1 "$tmp/s" | tr -d ' \n') $name"
    n=$((n + 1))
  done <"$digests"
} >"$out"
((n > 0)) || { echo "release_signer: no digest in $digests" >&2; exit 1; }
