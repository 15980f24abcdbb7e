#!/usr/bin/env bash
# Linux 7.2's verdict (modsign verify --kernel 7.2) on the two ML-DSA forms attached from
# signatures made outside the build: the pure form loads; the signed-attributes form is refused
# ("has authattrs") unless the kernel has CONFIG_PKCS7_WAIVE_AUTHATTRS_REJECTION_FOR_MLDSA;
# 6.1 refuses both.
# Usage: mldsa_release_verify_test.sh MODSIGN PURE.ko ATTRS.ko CERT_FILES...
set -euo pipefail
modsign=$1 pure=$2 attrs=$3
shift 3
cert=
for f in "$@"; do [[ $f == *.pem ]] && cert=$f; done
[[ -n $cert ]] || { echo "FAIL: no PEM certificate among $*" >&2; exit 1; }
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=${TEST_TMPDIR:-$(mktemp -d)}
printf 'CONFIG_CRYPTO_SHA512=y\nCONFIG_CRYPTO_MLDSA=y\nCONFIG_PKCS7_WAIVE_AUTHATTRS_REJECTION_FOR_MLDSA=y\n' >"$tmp/waive.config"
printf 'CONFIG_CRYPTO_SHA512=y\nCONFIG_CRYPTO_MLDSA=y\n' >"$tmp/plain.config"

"$modsign" verify --cert "$cert" --kernel 7.2 --kernel-config "$tmp/plain.config" "$pure"
"$modsign" verify --cert "$cert" --kernel 7.2 --kernel-config "$tmp/waive.config" "$attrs"
if out=$("$modsign" verify --cert "$cert" --kernel 7.2 --kernel-config "$tmp/plain.config" "$attrs" 2>&1); then
  fail "the signed-attributes form passed 7.2 without the waiver: $out"
fi
grep -q 'module-authattrs' <<<"$out" || fail "refused for another reason than module-authattrs: $out"
echo "PASS: without the waiver: $out"
if out=$("$modsign" verify --cert "$cert" --kernel 6.1 "$pure" 2>&1); then
  fail "6.1 took an ML-DSA signature: $out"
fi
echo "PASS: 6.1: $out"
