#!/usr/bin/env bash
# The key generated inside the SoftHSM2 token: pkcs11-tool cannot read it out (sensitive, never
# extractable); the module signed with it verifies against the certificate read back from the
# token and not against another certificate; modsign, given no certificate, finds it in the
# token and signs the same bytes (RSA PKCS#1 v1.5 is deterministic).
#
# Usage: generated_test.sh MODSIGN UNSIGNED SIGNED TOKEN_CERT OTHER_CERT PIN_FILE LIB LABEL
set -euo pipefail
modsign=$1 unsigned=$2 signed=$3 cert=$4 other=$5 pin_file=$6 lib=$7 label=$8
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=${TEST_TMPDIR:-$(mktemp -d)}
[[ -n "${SOFTHSM2_CONF:-}" && -f "$SOFTHSM2_CONF" ]] || fail "SOFTHSM2_CONF (${SOFTHSM2_CONF:-unset}) names no SoftHSM2 configuration"
p11=$(command -v pkcs11-tool) || fail "ORACLE MISSING: pkcs11-tool (apt-get install opensc)"
pin=$(cat "$pin_file")

objects=$("$p11" --module "$lib" --token-label "$label" --login --pin "$pin" --list-objects --type privkey 2>&1)
block=$(awk '/^Private Key Object/{p=0} /label: *generated$/{p=1} p' <<<"$objects")
[[ -n "$block" ]] || fail "no private key labelled generated in the token: $objects"
grep -q 'Access:.*never extractable' <<<"$block" || fail "the generated key is extractable: $block"
grep -q 'Access:.*sensitive' <<<"$block" || fail "the generated key is not sensitive: $block"
if "$p11" --module "$lib" --token-label "$label" --login --pin "$pin" --read-object --type privkey \
  --label generated --output-file "$tmp/key.der" >/dev/null 2>&1 && [[ -s "$tmp/key.der" ]]; then
  fail "pkcs11-tool read the generated private key out of the token"
fi
echo "PASS: the generated key is sensitive and never extractable; pkcs11-tool cannot read it"

"$modsign" verify --cert "$cert" --kernel 7.2 "$signed"
if "$modsign" verify --cert "$other" --kernel 7.2 "$signed" >"$tmp/other.out" 2>&1; then
  fail "the module verified against another certificate: $(cat "$tmp/other.out")"
fi
echo "PASS: refused with another certificate: $(head -n1 "$tmp/other.out")"

"$modsign" sign --key "pkcs11:token=$label;object=generated;type=private?module-path=$lib&pin-source=$pin_file" \
  --kernel 7.2 --out "$tmp/again.ko" "$unsigned"
cmp "$signed" "$tmp/again.ko" || fail "modsign with the certificate from the token signed different bytes"
echo "PASS: modsign found the certificate in the token and signed the same bytes"
