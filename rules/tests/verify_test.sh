#!/usr/bin/env bash
# The build test of rules_modsign: a module signed by kernel_module_signed verifies against
# the trusted_keys bundle holding its certificate, and only there.
#
# Usage: verify_test.sh MODSIGN SIGNED UNSIGNED GOOD_TRUSTED_KEYS_FILES... -- OTHER_TRUSTED_KEYS_FILES...
#                      -- REVOKING_TRUSTED_KEYS_FILES...
# (the last trusts the test key but revokes SIGNED by its hash through revoked_modules)
set -uo pipefail

modsign=$1 signed=$2 unsigned=$3
shift 3
good=() other=() revoking=()
while (($#)) && [[ $1 != -- ]]; do good+=("$1"); shift; done
shift
while (($#)) && [[ $1 != -- ]]; do other+=("$1"); shift; done
shift
revoking=("$@")

fail() { echo "FAIL: $*" >&2; exit 1; }

# The bundle is the .pem among a trusted_keys target's outputs.
bundle_of() {
  local f
  for f in "$@"; do [[ $f == *.pem ]] && { echo "$f"; return; }; done
  fail "no .pem bundle among $*"
}
good_bundle=$(bundle_of "${good[@]}")
other_bundle=$(bundle_of "${other[@]}")
revoking_bundle=$(bundle_of "${revoking[@]}")
revoking_list=
for f in "${revoking[@]}"; do [[ $f == *.blacklist ]] && revoking_list=$f; done
[[ -n $revoking_list ]] || fail "no .blacklist among ${revoking[*]}"

# The signed module is the unsigned one plus a signature: same bytes first, then the trailer.
size=$(stat -c %s "$unsigned")
cmp -s -n "$size" "$signed" "$unsigned" || fail "$signed does not start with the bytes of $unsigned"
(($(stat -c %s "$signed") > size)) || fail "$signed is not longer than $unsigned"
[[ $(tail -c 28 "$signed") == "~Module signature appended~" ]] || fail "$signed lacks the module signature trailer"

echo "== modsign info $signed"
"$modsign" info "$signed" || fail "modsign info failed"

echo "== verify against the bundle that trusts the test key ($good_bundle): must pass"
"$modsign" verify --keyring "$good_bundle" "$signed" || fail "the signed module does not verify against $good_bundle"

echo "== verify against a bundle without that certificate ($other_bundle): must fail"
if "$modsign" verify --keyring "$other_bundle" "$signed"; then
  fail "the signed module verifies against $other_bundle, which does not hold its certificate"
fi

echo "== verify the unsigned module: must fail"
if "$modsign" verify --keyring "$good_bundle" "$unsigned"; then
  fail "the unsigned module $unsigned verifies"
fi

echo "== the revocation list $revoking_list holds the signed file's SHA-256 as a bin: entry"
want="\"bin:$(sha256sum <"$signed" | cut -c1-64)\""
grep -qxF "$want" "$revoking_list" || fail "$revoking_list lacks $want: $(cat "$revoking_list")"

echo "== verify with that list: the trusted signer is accepted, the module's hash is not"
out=$("$modsign" verify --keyring "$revoking_bundle" --blacklist "$revoking_list" "$signed") &&
  fail "the module revoked by its hash verifies: $out"
echo "$out"
[[ $out == *EKEYREJECTED*"hash is blacklisted"* ]] || fail "want EKEYREJECTED for a blacklisted module hash, got: $out"

echo "PASS"
