#!/usr/bin/env bash
# cc_check_test.sh LIB IDENTITY...: the execution-time compiler check of the kernel scripts
# (lib.sh's cc_check) against the identities the default toolchain repository recorded.
#   1. Each registered identity matches its compiler as this machine runs it now (the
#      repository rule and the actions compute the same identity).
#   2. The same identity with one digest changed (cc1, as a CI host with another gcc build
#      would have) is refused, naming the compiler and the line that differs.
set -euo pipefail
lib=$1
shift
[[ $# -gt 0 ]] || { echo "cc_check_test: FAIL: no identity given (no gcc registered?)" >&2; exit 1; }
prog=cc_check_test
# shellcheck source=rules/private/scripts/lib.sh
source "$lib"
fail() { echo "cc_check_test: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/cc_check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for identity in "$@"; do
  cc=$(sed -n 's/^compiler //p' "$identity")
  [[ -n $cc ]] || fail "$identity: no compiler line"
  (cc_check "$identity" "$cc") || fail "$identity: $cc does not match its own identity"
  echo "cc_check_test: $cc matches $identity"

  # One digest changed: refused.
  sed -E 's/^(file cc1 [^ ]+ )[0-9a-f]/\10/; t; ' "$identity" >"$tmp/tampered"
  if cmp -s "$identity" "$tmp/tampered"; then
    sed -E 's/^(file cc1 [^ ]+ )[0-9a-f]/\11/' "$identity" >"$tmp/tampered"
  fi
  cmp -s "$identity" "$tmp/tampered" && fail "could not tamper with $identity"
  if out=$( (cc_check "$tmp/tampered" "$cc") 2>&1); then
    fail "$cc passed the check against an identity with another cc1 digest"
  fi
  for want in "the compiler $cc on this machine is not the one this action was keyed with" "file cc1" "refusing to build with another compiler"; do
    grep -qF -- "$want" <<<"$out" || fail "the refusal lacks '$want':
$out"
  done
  echo "cc_check_test: another cc1 digest for $cc is refused"
done
echo "cc_check_test: PASS ($# compilers)"
