#!/usr/bin/env bash
# verify_test.sh MODSIGN TRUSTED_FILES... MODULE: modsign verify accepts MODULE against the
# trusted_keys bundle, and refuses it once stripped.
set -euo pipefail
modsign=$1
module=${*: -1}
bundle=""
for f in "${@:2:$#-2}"; do [[ "$f" == *.pem ]] && bundle=$f; done
[[ -n "$bundle" ]] || { echo "no .pem bundle among $*"; exit 1; }
"$modsign" verify --keyring "$bundle" "$module"
tmp=${TEST_TMPDIR:-$(mktemp -d)}
"$modsign" strip --out "$tmp/stripped.ko" "$module"
if "$modsign" verify --keyring "$bundle" "$tmp/stripped.ko"; then
  echo "FAIL: the stripped module verified"
  exit 1
fi
echo "PASS: signed module verifies against $bundle; the stripped one does not"
