#!/usr/bin/env bash
# cc_identity.sh: print the identity of a kernel compiler (lib.sh's cc_identity).
#
# Usage: cc_identity.sh COMPILER [--out FILE]
#
# COMPILER is what Kbuild gets as CC= (an absolute path, a name on PATH, or a path relative
# to the current directory). The identity names the compiler, its target and version, its
# --version text, and the path and sha256 of the driver, cc1, as and ld. The repository rule
# behind the default kernel compiler toolchains runs this on each gcc it finds; the
# KernelCcIdentity action runs it on a hermetic compiler; kernel_build.sh and kernel_module.sh
# compare it, at execution time, with the identity their action was keyed with.
# With --out, the identity is written to a temporary file next to FILE and renamed.
set -euo pipefail

prog=cc_identity.sh
# shellcheck source=rules/private/scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cc="" out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) die "unknown argument '$1' (see --help)" ;;
    *) [[ -z $cc ]] || die "one compiler only ('$cc', then '$1')"; cc=$1; shift ;;
  esac
done
[[ -n $cc ]] || die "no compiler given (see --help)"
export LC_ALL=C
if [[ -z $out ]]; then
  cc_identity "$cc"
  exit 0
fi
out=$(abspath "$out")
tmp=$(staged_tmp "$out")
trap 'rm -f "$tmp"' EXIT
cc_identity "$cc" >"$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
