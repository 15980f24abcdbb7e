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

# must_fail CODE MESSAGE CMD...: CMD must exit with exactly CODE (not a crash, not a usage
# error) and print MESSAGE.
must_fail() {
  local want=$1 msg=$2 out code
  shift 2
  out=$("$@" 2>&1) && fail "$* succeeded; want exit $want and \"$msg\""
  code=$?
  echo "$out"
  ((code == want)) || fail "$* exited $code, want $want: $out"
  [[ $out == *"$msg"* ]] || fail "$* does not say \"$msg\": $out"
}

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

echo "== verify against a bundle without that certificate ($other_bundle): must fail with ENOKEY"
must_fail 1 "EKEYREJECTED on Linux 7.2 with signatures enforced (ENOKEY otherwise) [trusted-key]" \
  "$modsign" verify --keyring "$other_bundle" "$signed"

echo "== verify the unsigned module: must fail with ENODATA"
must_fail 1 "EKEYREJECTED on Linux 7.2 with signatures enforced (ENODATA otherwise) [marker]" \
  "$modsign" verify --keyring "$good_bundle" "$unsigned"

echo "== verify --json: one array, the kernel's errno and log line"
out=$("$modsign" verify --json --kernel 6.1 --keyring "$good_bundle" "$signed" "$unsigned") && fail "verify --json of an unsigned module exited 0"
echo "$out"
[[ $out == "["* && $out == *'"errno": ""'* && $out == *'"errno": "EKEYREJECTED"'* &&
  $out == *'"kernel_message": "Loading of unsigned module is rejected"'* && $out == *'"rule": "marker"'* ]] ||
  fail "verify --json did not give the contract's fields: $out"

echo "== the revocation list $revoking_list holds the signed file's SHA-256 as a bin: entry"
want="\"bin:$(sha256sum <"$signed" | cut -c1-64)\""
grep -qxF "$want" "$revoking_list" || fail "$revoking_list lacks $want: $(cat "$revoking_list")"

echo "== verify with that list on Debian's 6.1: the trusted signer is accepted, the module's hash is not"
must_fail 1 "EKEYREJECTED on Linux 6.1 [blacklist-bin]" \
  "$modsign" verify --kernel 6.1 --keyring "$revoking_bundle" --blacklist "$revoking_list" "$signed"
echo "== the same on 7.2, which checks no module hashes: accepted"
"$modsign" verify --kernel 7.2 --keyring "$revoking_bundle" --blacklist "$revoking_list" "$signed" ||
  fail "Linux 7.2 has no module-hash blacklist, but verify --kernel 7.2 refused the module"

echo "PASS"
