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
# Must fail with exit 1 (refused, not a crash or a usage error) and say why.
code=0
out=$("$modsign" verify --keyring "$bundle" "$tmp/stripped.ko" 2>&1) || code=$?
echo "$out"
if ((code != 1)) || [[ $out != *"(ENODATA otherwise) [marker]"* ]]; then
  echo "FAIL: the stripped module: exit $code, want 1 with ENODATA [marker]"
  exit 1
fi
echo "PASS: signed module verifies against $bundle; the stripped one does not"
