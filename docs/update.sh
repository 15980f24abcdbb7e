#!/usr/bin/env bash
# update.sh GENERATED.md...: copies stardoc's output over docs/<name>.md in the source tree
# (run through `tools/bazel run //docs:update`, which sets BUILD_WORKSPACE_DIRECTORY).
set -euo pipefail
[[ -n ${BUILD_WORKSPACE_DIRECTORY:-} ]] || { echo "update.sh: run me with bazel run //docs:update" >&2; exit 2; }
for f in "$@"; do
  name=$(basename "$f" .generated.md)
  dest=$BUILD_WORKSPACE_DIRECTORY/docs/$name.md
  tmp=$(mktemp "$dest.XXXXXX")
  cp "$f" "$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$dest"
  echo "docs/$name.md"
done
