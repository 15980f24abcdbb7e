#!/usr/bin/env bash
# kernel_module.sh: build one out-of-tree kernel module with Kbuild against a
# kernel build tree made by kernel_build.sh.
#
# Usage (every path is relative to the current directory, Bazel's execroot):
#   kernel_module.sh --tree DIR --kbuild PATH --pkg-dir PKG [--src FILE]...
#       [--symvers DEP.symvers]... [--ccflags "..."] [--module-name NAME]
#       [--cc /usr/bin/gcc-12 --cc-identity IDENTITY]
#       --out-ko OUT.ko --out-symvers OUT.symvers
#
# The Kbuild file is copied as "Kbuild" and every --src keeps its path
# relative to PKG (for generated files, relative to PKG under
# bazel-out/<config>/bin) in a fresh directory; then
#   make -C <copy of TREE> M=<that directory> KBUILD_EXTRA_SYMBOLS=<deps> modules
# runs, and the module (NAME.ko, or the only .ko built) and its
# Module.symvers are copied out. The kernel tree is only read (checked).
# --cc is the compiler (the kernel's); it must match --cc-identity, its
# kernel_cc_toolchain identity (lib.sh's cc_check). Without --cc, the CC the
# tree records (rules_modsign.env) is used, unchecked.
# Output is quiet on success; the build log is printed on failure.
set -euo pipefail

prog=kernel_module.sh
# shellcheck source=rules/private/scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tree="" kbuild="" pkg="" ccflags="" name="" out_ko="" out_symvers="" cc="" cc_identity=""
srcs=() symvers=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tree) tree=$2; shift 2 ;;
    --kbuild) kbuild=$2; shift 2 ;;
    --pkg-dir) pkg=$2; shift 2 ;;
    --src) srcs+=("$2"); shift 2 ;;
    --symvers) symvers+=("$2"); shift 2 ;;
    --ccflags) ccflags=$2; shift 2 ;;
    --module-name) name=$2; shift 2 ;;
    --cc) cc=$2; shift 2 ;;
    --cc-identity) cc_identity=$2; shift 2 ;;
    --out-ko) out_ko=$2; shift 2 ;;
    --out-symvers) out_symvers=$2; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

require_args tree kbuild out_ko out_symvers
[[ -d $tree ]] || die "--tree $tree: no such directory (expected the out_tree of a kernel_build)"
for f in Makefile .config include/config/auto.conf include/generated/autoconf.h scripts/mod/modpost Module.symvers; do
  [[ -e $tree/$f ]] || die "--tree $tree: not a kernel build tree (missing $f); pass the tree output of kernel_build"
done
[[ -f $kbuild ]] || die "--kbuild $kbuild: no such file"
[[ ${#srcs[@]} -gt 0 ]] || die "no --src given; a module needs at least one source file"
for s in "${srcs[@]}"; do [[ -f $s ]] || die "--src $s: no such file"; done
for s in "${symvers[@]}"; do [[ -f $s ]] || die "--symvers $s: no such file"; done
[[ -z $name || $name =~ ^[A-Za-z0-9_-]+$ ]] || die "--module-name '$name': want letters, digits, '_' or '-'"
[[ -z $cc_identity || -n $cc ]] || die "--cc-identity needs --cc"
[[ -z $cc || -n $cc_identity ]] || die "--cc $cc needs --cc-identity (the kernel_cc_toolchain's identity file)"
pkg=${pkg%/}
[[ $pkg != . ]] || pkg=""

work=$(mktemp -d "${TMPDIR:-/tmp}/kernel_module.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/build.log
mod=$work/m
mkdir -p "$mod"

# Where a source goes inside the module directory.
relpath() {
  local s=$1 p
  # Generated files live under bazel-out/<config>/bin/<pkg>/...
  if [[ $s =~ ^bazel-out/[^/]+/bin/(.*)$ ]]; then s=${BASH_REMATCH[1]}; fi
  if [[ -z $pkg ]]; then p=$s
  elif [[ $s == "$pkg"/* ]]; then p=${s#"$pkg"/}
  else
    die "--src $1 is not inside the package directory $pkg"
  fi
  [[ $p != *..* ]] || die "--src $1: '..' in its path"
  echo "$p"
}
for s in "${srcs[@]}"; do
  r=$(relpath "$s")
  [[ $r != Kbuild && $r != Makefile ]] || die "--src $s: would overwrite the Kbuild file; pass it with --kbuild"
  mkdir -p "$mod/$(dirname "$r")"
  cp "$s" "$mod/$r"
done
cp "$kbuild" "$mod/Kbuild"
if [[ -n $ccflags ]]; then
  printf '\n# Added by rules_modsign kernel_module(ccflags = ...)\nccflags-y += %s\n' "$ccflags" >>"$mod/Kbuild"
fi

# The kernel tree is used in place and must stay untouched: Kbuild does not
# rebuild host tools or regenerate the config for M= builds (whatever the
# timestamps), and this is checked after the build.
ktree=$(abspath "$tree")
stamp=$work/stamp
touch "$stamp"

kbuild_env
if [[ -n $cc ]]; then
  cc_check "$cc_identity" "$cc"
elif [[ -f $ktree/rules_modsign.env ]]; then
  cc=$(sed -n 's/^CC=//p' "$ktree/rules_modsign.env" | head -n1)
  cc=${cc//\'/}
fi
mapfile -t mkargs < <(cc_make_args "$cc" "the kernel in $tree was built with CC=$cc")
[[ -z $cc || ${#mkargs[@]} -gt 0 ]] || exit 1
# make -C runs the compiler in the tree: map the tree itself too (the compile directory in
# the debug info), or the sandbox's path ends up in the module and the module differs
# between sandboxes. gcc tries the last map first, so files inside keep their short names.
mkargs+=(-C "$ktree" "M=$mod" "KCFLAGS=-ffile-prefix-map=$ktree=. -ffile-prefix-map=$mod/= -ffile-prefix-map=$ktree/=")
if [[ ${#symvers[@]} -gt 0 ]]; then
  extra=""
  for s in "${symvers[@]}"; do extra+="$(abspath "$s") "; done
  mkargs+=("KBUILD_EXTRA_SYMBOLS=${extra% }")
fi

if ! make "${mkargs[@]}" modules >"$log" 2>&1; then
  echo "$prog: error: building the module in ${pkg:-.} with Kbuild $kbuild failed:" >&2
  if [[ $(wc -l <"$log") -le 150 ]]; then cat "$log" >&2; else tail -n 150 "$log" >&2; fi
  exit 1
fi
# modpost only warns about undefined symbols; a module that cannot resolve its
# symbols would fail to load, so treat that as an error.
if grep -E 'WARNING: modpost: ".*" \[.*\] undefined!' "$log" >&2; then
  die "undefined symbols (add the kernel_module that exports them to deps)"
fi

mapfile -t kos < <(cd "$mod" && find . -name '*.ko' | sed 's|^\./||' | LC_ALL=C sort)
if [[ -n $name ]]; then
  ko=""
  for k in "${kos[@]}"; do [[ $(basename "$k" .ko) == "$name" ]] && ko=$k; done
  [[ -n $ko ]] || die "Kbuild $kbuild built [${kos[*]}] but no $name.ko (module_name = \"$name\")"
else
  [[ ${#kos[@]} -eq 1 ]] || die "Kbuild $kbuild built ${#kos[@]} modules [${kos[*]}]; set module_name to pick one"
  ko=${kos[0]}
fi

out_ko=$(abspath "$out_ko")
out_symvers=$(abspath "$out_symvers")
tmp_ko=$(staged_tmp "$out_ko")
tmp_sym=$(staged_tmp "$out_symvers")
trap 'rm -rf "$work" "$tmp_ko" "$tmp_sym"' EXIT
cp "$mod/$ko" "$tmp_ko"
# Nothing in the kernel tree may have been written.
changed=$(find "$ktree/" -newer "$stamp" -print -quit 2>/dev/null || true)
[[ -z $changed ]] || die "the build wrote into the kernel tree $tree ($changed); the tree is an input and must stay read-only"

# Module.symvers names each exporting module by its build path; replace the
# temporary directory with the package path so the file is reproducible
# (modpost only uses the last path component, for "depends=").
awk -v dir="$mod/" -v repl="${pkg:-.}/" 'BEGIN { FS = OFS = "\t" }
  index($3, dir) == 1 { $3 = repl substr($3, length(dir) + 1) } { print }' "$mod/Module.symvers" >"$tmp_sym"
chmod 0644 "$tmp_ko" "$tmp_sym"
mv -f "$tmp_ko" "$out_ko"
mv -f "$tmp_sym" "$out_symvers"
