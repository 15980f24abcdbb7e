#!/usr/bin/env bash
# tools/reproducibility.sh: a signed module is bit-for-bit reproducible.
#
#   tools/reproducibility.sh [TARGET]     (default //rules/tests:signed_fixture)
#
# In the root workspace: builds TARGET (a kernel_module_signed with a fixed key, i.e. a
# module_signing_key: RSA PKCS#1 v1.5 signatures are deterministic, and modsign's ECDSA is
# RFC 6979), records the SHA-256 of its output, runs `bazel clean`, builds again with the disk
# cache disabled (--disk_cache=), so that the signing really runs again, checks from the
# execution log that it did, and compares the digests. Prints both; exits non-zero if they
# differ or if the second build did not execute the signing action.
#
# Note: `bazel clean` empties the root workspace's output base, so the second build also
# rebuilds modsign (and rules_go's standard library) from source: a few minutes on 2 cores.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${1:-//rules/tests:signed_fixture}
bazel="$root/tools/bazel"
cd "$root"

# The execution logs are written by the Bazel server, which under tools/bazel's sid chroot
# sees the host's /tmp only through its cache directory (mounted at the same path).
tmp_base=${RULES_MODSIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rules_modsign}/data
if [[ -d $tmp_base ]]; then
  tmp_base=$tmp_base/tmp
  mkdir -p "$tmp_base"
else
  tmp_base=${TMPDIR:-/tmp}
fi
work=$(mktemp -d "$tmp_base/rules_modsign_repro.XXXXXX")
trap 'rm -rf "$work"' EXIT

output_of() {
  local files
  files=$("$bazel" cquery --output=files "$target" 2>/dev/null | grep '\.ko$' || true)
  if [[ $(wc -l <<<"$files") != 1 || -z $files ]]; then
    echo "reproducibility: $target must have exactly one .ko output, has: ${files:-none}" >&2
    exit 2
  fi
  echo "$files"
}

# Counts the spawns of one mnemonic in an execution log (a stream of JSON objects) and
# says how many ran versus came from a cache.
spawns() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
path, mnemonic = sys.argv[1], sys.argv[2]
text = open(path).read()
dec = json.JSONDecoder()
i, ran, cached = 0, 0, 0
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    obj, i = dec.raw_decode(text, i)
    if obj.get("mnemonic") != mnemonic:
        continue
    if obj.get("remoteCacheHit") or "cache hit" in obj.get("runner", ""):
        cached += 1
    else:
        ran += 1
print(ran, cached)
EOF
}

echo "== build 1: $target"
"$bazel" build --execution_log_json_file="$work/exec1.json" "$target"
out=$(output_of)
read -r ran1 cached1 < <(spawns "$work/exec1.json" ModsignSign)
digest1=$(sha256sum "$out" | cut -d' ' -f1)
cp "$out" "$work/first.ko"

echo "== bazel clean"
"$bazel" clean

echo "== build 2: $target, disk cache disabled"
"$bazel" build --disk_cache= --execution_log_json_file="$work/exec2.json" "$target"
out2=$(output_of)
read -r ran2 cached2 < <(spawns "$work/exec2.json" ModsignSign)
digest2=$(sha256sum "$out2" | cut -d' ' -f1)

echo
echo "target:  $target ($out2)"
note1="ModsignSign: $ran1 executed, $cached1 from a cache"
[[ $ran1 == 0 && $cached1 == 0 ]] && note1="already up to date from an earlier build"
echo "build 1: sha256 $digest1  ($note1)"
echo "build 2: sha256 $digest2  (ModsignSign: $ran2 executed, $cached2 from a cache; after bazel clean, --disk_cache=)"

if [[ $ran2 != 1 || $cached2 != 0 ]]; then
  echo "FAIL: the second build must execute exactly one ModsignSign spawn and take none from a cache" >&2
  exit 1
fi
if [[ $digest1 != "$digest2" ]]; then
  echo "FAIL: the signed module differs between the builds" >&2
  cmp -l "$work/first.ko" "$out2" | head -5 >&2 || true
  exit 1
fi
echo "PASS: bit-for-bit identical"
