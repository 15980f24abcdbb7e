#!/usr/bin/env bash
# rules/tests/pkcs11_build_check.sh: kernel_module_signed with a key in a real PKCS#11 token.
#
# Creates a SoftHSM2 token in a temporary directory, imports the TEST-ONLY RSA key into it,
# and builds //rules/tests:hsm_signed (module_signing_key with pkcs11_uri, no key file) with
# --action_env=SOFTHSM2_CONF pointing at the token. The signed module must be byte-identical
# to //rules/tests:signed_fixture (the same key as a file). A fresh --action_env nonce makes
# the signing action run instead of coming from a cache. Then, with the token gone, the build
# must fail naming the token (the control that shows the token was really used).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
lib=/usr/lib/softhsm/libsofthsm2.so
fail() { echo "FAIL: $*" >&2; exit 1; }

# The token lives where the chroot's Bazel sees it too (the cache is mounted there).
base=${RULES_MODSIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rules_modsign}/data
mkdir -p "$base"
dir=$(mktemp -d "$base/softhsm.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$dir" >"$dir/softhsm2.conf"
# softhsm2-util runs in the chroot, like the build, so both use the same SoftHSM version.
source tools/setup/common.sh
in_chroot() { rms_in_chroot -- env SOFTHSM2_CONF="$dir/softhsm2.conf" "$@"; }
in_chroot softhsm2-util --init-token --free --label rules-modsign-test --pin "$(cat rules/tests/testdata/softhsm-test.pin)" --so-pin 87654321 >/dev/null
cp rules/tests/testdata/test-only-rsa2048.key.pem "$dir/key.pem"
in_chroot bash -c "openssl pkcs8 -topk8 -nocrypt -in '$dir/key.pem' -out '$dir/key.p8' && softhsm2-util --import '$dir/key.p8' --token rules-modsign-test --label test-key --id 01 --pin '$(cat rules/tests/testdata/softhsm-test.pin)' >/dev/null"
rm -f "$dir/key.pem" "$dir/key.p8" # only the token holds the key now

nonce=$(date +%s%N)
tools/bazel build --action_env=SOFTHSM2_CONF="$dir/softhsm2.conf" --action_env=RULES_MODSIGN_CHECK_NONCE="$nonce" \
  //rules/tests:hsm_signed //rules/tests:signed_fixture
bin=$(tools/bazel info bazel-bin 2>/dev/null)
# bazel-bin is a path in the chroot, which is the same path on the host here (the cache is bind-mounted).
cmp "$bin/rules/tests/hsm_signed/nhc_hop.ko" "$bin/rules/tests/signed_fixture/nhc_hop.ko" ||
  fail "the token-signed module differs from the one signed with the key file"
echo "PASS: signed through SoftHSM2 (pkcs11_uri, no key file), byte-identical to the key-file signature"

# The control: without the token, the signing action fails and says why.
rm -rf "$dir/tokens"/*
if out=$(tools/bazel build --action_env=SOFTHSM2_CONF="$dir/softhsm2.conf" --action_env=RULES_MODSIGN_CHECK_NONCE="$nonce-control" \
  //rules/tests:hsm_signed 2>&1); then
  fail "the build succeeded without the token: the signature did not come from it"
fi
grep -q 'token' <<<"$out" || fail "the failed build does not say what is wrong with the token: $out"
echo "PASS: without the token the build fails: $(grep -m1 'modsign: error' <<<"$out")"
