#!/usr/bin/env bash
# patch_modules.sh CHROOT MODULES: Debian-packaged Bazel modules that need a newer field.
#
# Debian's bazel_features is 1.11; rules_go 0.65 reads two fields it lacks. Bazel 7.7 has
# neither capability, so both are False: exactly what bazel_features 1.36 reports for 7.7.
set -euo pipefail
root=$1
modules=$2

rm -rf "$modules/bazel_features"
cp -r "$root/usr/share/bazel/tools/features" "$modules/bazel_features"
chmod -R u+w "$modules/bazel_features"
f=$modules/bazel_features/features.bzl
grep -q '^_rules = struct($' "$f" || {
  echo "patch_modules.sh: $f has no '_rules = struct(' line; Debian's bazel_features changed" >&2
  exit 1
}
sed -i 's/^_rules = struct($/_rules = struct(\n    instrumented_files_info_has_baseline_coverage_files = False,/' "$f"
if ! grep -q '^_proto = struct(' "$f"; then
  sed -i 's/^bazel_features = struct($/_proto = struct(\n    starlark_proto_info = False,\n)\n\nbazel_features = struct(\n    proto = _proto,/' "$f"
fi
