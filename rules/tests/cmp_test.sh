#!/usr/bin/env bash
# Passes when two files are byte-identical (and not empty).
# Usage: cmp_test.sh GOT WANT
set -euo pipefail
[[ -s $1 && -s $2 ]] || { echo "FAIL: $1 or $2 is missing or empty" >&2; exit 1; }
if ! cmp "$1" "$2"; then
  echo "FAIL: $1 differs from $2 ($(stat -c %s "$1") vs $(stat -c %s "$2") bytes)" >&2
  exit 1
fi
echo "PASS: $1 is byte-identical to $2 ($(stat -c %s "$1") bytes)"
