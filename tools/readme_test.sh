#!/usr/bin/env bash
# tools/readme_test.sh: runs the README's example as a new user would, so that the README cannot
# drift from the code.
#
# Every fenced block of README.md preceded by a line `<!-- readme-test: FILE -->` is written,
# verbatim, to FILE in a fresh workspace outside the repository (no .bazelrc of its own). The
# only changes, each printed:
#   - `/path/to/rules_modsign` (the README's placeholder for the checkout) becomes this checkout;
#   - without internet (tools/bazel's offline Bazel), `go_sdk.download(...)` becomes
#     `go_sdk.host()`, as the README's own comment offers.
# Files the snippets name but do not show (the module's hello.c and Kbuild) come from
# e2e/workspace/hello. Then `tools/bazel test //...` runs there and must pass: it builds the
# kernel, the module, signs it and boots it in QEMU.
#
# Usage: tools/readme_test.sh [--keep]   (--keep: leave the workspace and its Bazel server)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
keep=0
[[ ${1:-} == --keep ]] && keep=1
die() {
  echo "readme_test: error: $*" >&2
  exit 1
}

ws=$(mktemp -d "${TMPDIR:-/tmp}/rules_modsign_readme.XXXXXX")
cleanup() {
  if ((keep)); then
    echo "readme_test: kept $ws"
  else
    (cd "$ws" && "$repo/tools/bazel" shutdown >/dev/null 2>&1) || true
    rm -rf "$ws"
  fi
}
trap cleanup EXIT

# Extract the marked blocks.
awk -v ws="$ws" '
  /^<!-- readme-test: [^ ]+ -->$/ { file = $3; want = 1; next }
  want && /^```/ { if (!infence) { infence = 1; out = ws "/" file; printf "" > out; next } }
  infence && /^```$/ { infence = 0; want = 0; close(out); print file; next }
  infence { print > out }
' "$repo/README.md" >"$ws/.extracted"
mapfile -t files <"$ws/.extracted"
rm -f "$ws/.extracted"
echo "readme_test: from README.md: ${files[*]:-nothing}"
for f in MODULE.bazel BUILD.bazel; do
  [[ -s $ws/$f ]] || die "README.md has no block marked <!-- readme-test: $f -->"
done

substitute() { # FILE FROM TO WHY
  grep -qF -- "$2" "$ws/$1" || return 0
  local tmp
  tmp=$(mktemp "$ws/.sub.XXXXXX")
  FROM=$2 TO=$3 awk '{ while ((i = index($0, ENVIRON["FROM"])) > 0) $0 = substr($0, 1, i - 1) ENVIRON["TO"] substr($0, i + length(ENVIRON["FROM"])); print }' "$ws/$1" >"$tmp"
  mv "$tmp" "$ws/$1"
  echo "readme_test: $1: '$2' -> '$3' ($4)"
}
substitute MODULE.bazel /path/to/rules_modsign "$repo" "the checkout"
if ! timeout 5 bash -c 'exec 3<>/dev/tcp/go.dev/443' 2>/dev/null; then
  line=$(grep -oE 'go_sdk\.download\([^)]*\)' "$ws/MODULE.bazel" | head -n1 || true)
  [[ -z $line ]] || substitute MODULE.bazel "$line" "go_sdk.host()" "offline: no go.dev"
fi
for f in hello.c Kbuild; do
  if grep -q "\"$f\"" "$ws/BUILD.bazel" && [[ ! -e $ws/$f ]]; then
    cp "$repo/e2e/workspace/hello/$f" "$ws/$f"
    echo "readme_test: $f from e2e/workspace/hello (the README names it without showing it)"
  fi
done
[[ ! -e $ws/.bazelrc ]] || die "the workspace must have no .bazelrc of its own"

echo "readme_test: tools/bazel test //... in $ws"
t0=$SECONDS
(cd "$ws" && "$repo/tools/bazel" test //...) || die "the README's example failed in $ws (run with --keep to inspect it)"
echo "readme_test: PASS in $((SECONDS - t0)) s"
