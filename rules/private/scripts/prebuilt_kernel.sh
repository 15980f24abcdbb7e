#!/usr/bin/env bash
# prebuilt_kernel.sh: turn an existing kernel build tree into the relocatable,
# self-contained tree kernel_module.sh builds against (the shape of
# kernel_build's tree output).
#
# Usage (paths relative to the current directory, Bazel's execroot):
#   prebuilt_kernel.sh [--kbuild DIR] [--common DIR] --tree DIR
#       [--config FILE] [--symvers FILE] [--release R] --out DIR
#
# Layers are copied in this order, later ones winning: --kbuild (Debian's
# linux-kbuild-X: scripts/ and tools/ with the host programs), --common (the
# architecture-independent half of split headers packages, e.g.
# linux-headers-6.1.0-57-common), --tree (the build tree itself). Symbolic
# links are replaced by copies of what they point to, links that lead nowhere
# are dropped. When --common is given and the tree's Makefile only includes
# another Makefile (Debian's `include /usr/src/linux-headers-...-common/Makefile`),
# the common Makefile is used instead, so no absolute path remains.
# --config and --symvers supply .config and Module.symvers when the tree lacks
# them, and must equal the tree's when it has them. The result must hold what
# an external module build reads (Makefile, .config, include/config/auto.conf,
# include/generated/autoconf.h, scripts/mod/modpost, Module.symvers), and its
# UTS_RELEASE must equal --release when given. It gets a
# rules_modsign.env (KERNELRELEASE) for kernel_module.sh, which gets the compiler
# from the rule (the kernel_cc_toolchain), so the tree does not depend on it. The output is
# assembled in a temporary directory and renamed into place.
set -euo pipefail

prog=prebuilt_kernel.sh
die() { echo "$prog: error: $*" >&2; exit 1; }

kbuild="" common="" tree="" config="" symvers="" release="" out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kbuild) kbuild=$2; shift 2 ;;
    --common) common=$2; shift 2 ;;
    --tree) tree=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --symvers) symvers=$2; shift 2 ;;
    --release) release=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ -n $tree ]] || die "--tree is required"
[[ -n $out ]] || die "--out is required"
for d in "$kbuild" "$common" "$tree"; do
  [[ -z $d || -d $d ]] || die "$d: no such directory"
done
for f in "$config" "$symvers"; do
  [[ -z $f || -f $f ]] || die "$f: no such file"
done

export LC_ALL=C
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$(dirname "$out")/.$(basename "$out").tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Copies DIR's contents into the result, following symbolic links (inside the
# sandbox every input file is one) and dropping those that lead nowhere.
layer() {
  local dir=$1
  shift
  (cd "$dir" && find -L . \( -type f -o -type l \) "$@" -print0) |
    (cd "$dir" && tar --null -T - --dereference --ignore-failed-read -cf - 2>/dev/null) |
    tar -xf - -C "$tmp" || die "cannot copy $dir"
}

stub=""
if [[ -n $common ]]; then
  [[ -f $common/Makefile ]] || die "--common $common has no Makefile"
  if [[ -f $tree/Makefile ]] && grep -qE '^include[[:space:]]+/' "$tree/Makefile" &&
    [[ $(grep -cvE '^[[:space:]]*(#|$)' "$tree/Makefile") -eq 1 ]]; then
    stub=$(sed -n 's/^include[[:space:]]*//p' "$tree/Makefile")
  fi
elif [[ -f $tree/Makefile ]] && inc=$(sed -n 's/^include[[:space:]]\{1,\}\(\/.*\)$/\1/p' "$tree/Makefile" | head -n 1) && [[ -n $inc ]]; then
  die "$tree/Makefile includes $inc, the other half of a split headers tree: pass that tree as common (e.g. the unpacked linux-headers-*-common package)"
fi

[[ -z $kbuild ]] || layer "$kbuild"
[[ -z $common ]] || layer "$common"
if [[ -n $stub ]]; then
  layer "$tree" ! -path ./Makefile
else
  layer "$tree"
fi
find "$tmp" -xtype l -delete

for pair in "$config:.config" "$symvers:Module.symvers"; do
  src=${pair%%:*} name=${pair#*:}
  [[ -n $src ]] || continue
  if [[ -f $tmp/$name ]]; then
    cmp -s "$src" "$tmp/$name" || die "$src differs from the tree's own $name ($tree/$name): give one or the other, not two different ones"
  else
    cp "$src" "$tmp/$name"
  fi
done

for f in Makefile .config include/config/auto.conf include/generated/autoconf.h include/generated/utsrelease.h scripts/mod/modpost Module.symvers; do
  [[ -e $tmp/$f ]] || die "$tree is not a kernel build tree for external modules: no $f${kbuild:+ (in it or in $kbuild)}${common:+ or $common}$([[ $f == scripts/* && -z $kbuild ]] && echo '; split packages keep scripts/ in linux-kbuild: pass it as kbuild')"
done
[[ -x $tmp/scripts/mod/modpost ]] || die "scripts/mod/modpost is not executable in $tree${kbuild:+ or $kbuild}"
# The release modules get in their vermagic (Debian's include/config/kernel.release says
# 6.1.192 while its .kernelvariables and utsrelease.h say 6.1.0-57-amd64).
got=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$tmp/include/generated/utsrelease.h")
[[ -n $got ]] || die "$tree: no UTS_RELEASE in include/generated/utsrelease.h"
[[ -z $release || $got == "$release" ]] || die "$tree is kernel $got (UTS_RELEASE in include/generated/utsrelease.h), not $release"
if [[ -n $stub ]]; then
  echo "# rules_modsign: the Makefile of $common, which $tree/Makefile included as $stub." >"$tmp/.rules_modsign_makefile_origin"
fi
{
  echo "# Written by rules_modsign prebuilt_kernel.sh; read by kernel_module.sh."
  printf 'KERNELRELEASE=%q\n' "$got"
} >"$tmp/rules_modsign.env"
chmod -R u+rwX,go+rX "$tmp"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
