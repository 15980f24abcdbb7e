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

# shellcheck source=tools/setup/common.sh
source "$root/tools/setup/common.sh"
# The execution logs are written by the Bazel server, which may only see the cache directory.
work=$(rms_mktemp_shared rules_modsign_repro)
trap 'rm -rf "$work"' EXIT

# The project's execution-log reader (tools/remote_cache/cmd/execlog), built by the host Go.
"$RMS_GOROOT/bin/go" build -o "$work/execlog" ./tools/remote_cache/cmd/execlog ||
  { echo "reproducibility: building execlog failed" >&2; exit 2; }

output_of() {
  local files
  files=$("$bazel" cquery --output=files "$target" 2>/dev/null | grep '\.ko$' || true)
  if [[ $(wc -l <<<"$files") != 1 || -z $files ]]; then
    echo "reproducibility: $target must have exactly one .ko output, has: ${files:-none}" >&2
    exit 2
  fi
  echo "$files"
}

# spawns LOG MNEMONIC: prints how many of its spawns ran and how many came from a cache.
spawns() {
  local total ran
  total=$("$work/execlog" count --mnemonic "$2" "$1")
  ran=$("$work/execlog" count --mnemonic "$2" --where executed "$1")
  echo "$ran $((total - ran))"
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
