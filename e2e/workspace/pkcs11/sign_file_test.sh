#!/usr/bin/env bash
# A module signed through the SoftHSM2 token is byte-identical to the same module signed with
# the key as a file, by modsign and by sid's sign-file, and to sid's sign-file signing through
# OpenSSL's pkcs11-provider with the same pkcs11: URI; modsign verify takes it for Linux 7.2.
# The oracles (sign-file from linux-kbuild-7.2, pkcs11-provider) are provisioned in the chroot
# where Bazel runs: a missing one fails the test.
#
# Usage: sign_file_test.sh MODSIGN UNSIGNED HSM_SIGNED FILE_SIGNED KEY CERT OPENSSL_CNF URI
set -euo pipefail
modsign=$1 unsigned=$2 hsm=$3 file=$4 key=$5 cert=$6 cnf=$7 uri=$8
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=${TEST_TMPDIR:-$(mktemp -d)}
[[ -n "${SOFTHSM2_CONF:-}" && -f "$SOFTHSM2_CONF" ]] || fail "SOFTHSM2_CONF (${SOFTHSM2_CONF:-unset}) names no SoftHSM2 configuration"
shopt -s nullglob
sign_files=(/usr/lib/linux-kbuild-7.*/scripts/sign-file)
providers=(/usr/lib/*/ossl-modules/pkcs11.so)
((${#sign_files[@]})) || fail "ORACLE MISSING: sid's sign-file (apt-get install linux-kbuild-7.2)"
((${#providers[@]})) || fail "ORACLE MISSING: OpenSSL's pkcs11-provider (apt-get install pkcs11-provider)"
sign_file=${sign_files[0]}

cmp "$hsm" "$file" || fail "the token's signature differs from modsign's with the key file"
cmp -s "$hsm" "$unsigned" && fail "the token-signed module is the unsigned one"
echo "PASS: token == modsign with the key file ($(stat -L -c %s "$hsm") bytes)"

"$sign_file" sha512 "$key" "$cert" "$unsigned" "$tmp/sign-file.ko"
cmp "$hsm" "$tmp/sign-file.ko" || fail "the token's signature differs from $sign_file with the key file"
echo "PASS: token == $sign_file with the key file"

# sign-file loads the provider by name; the library and the PIN come from the OpenSSL
# configuration the token repository wrote (pkcs11-module-token-pin = file:...).
OPENSSL_CONF=$cnf "$sign_file" sha512 "$uri" "$cert" "$unsigned" "$tmp/sign-file-pkcs11.ko" </dev/null
cmp "$hsm" "$tmp/sign-file-pkcs11.ko" || fail "the token's signature differs from $sign_file through pkcs11-provider ($uri)"
echo "PASS: token == $sign_file through ${providers[0]} with $uri"

"$modsign" verify --cert "$cert" --kernel 7.2 "$hsm"
