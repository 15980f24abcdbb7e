# shellcheck shell=bash
# lib.sh: what kernel_build.sh and kernel_module.sh share (sourced by both; set $prog first).
# Every path the scripts take is relative to the current directory, Bazel's execroot.

RMS_EXECROOT=$PWD

die() {
  echo "$prog: error: $*" >&2
  exit 1
}

# require_args VAR...: dies unless every named variable is set; variable out_ko is flag --out-ko.
require_args() {
  local v
  for v in "$@"; do
    [[ -n ${!v} ]] || die "--${v//_/-} is required"
  done
}

# abspath PATH: PATH made absolute against the execroot.
abspath() { case "$1" in /*) echo "$1" ;; *) echo "$RMS_EXECROOT/$1" ;; esac; }

# kbuild_env: the same make environment for every kernel and module build:
# fixed build stamps (reproducibility), C locale, and no make or Kbuild variable
# leaking in from the caller's environment.
kbuild_env() {
  export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 1970"
  export KBUILD_BUILD_USER=rules_modsign KBUILD_BUILD_HOST=bazel KBUILD_BUILD_VERSION=1
  export LC_ALL=C TZ=UTC
  unset MAKEFLAGS MAKELEVEL MFLAGS KBUILD_OUTPUT KCONFIG_CONFIG ARCH CROSS_COMPILE O M KCFLAGS 2>/dev/null || true
}

# cc_make_args CC WHAT: prints the make arguments that select compiler CC (none when
# empty; a relative path is made absolute against the execroot, as make runs elsewhere);
# dies, naming WHAT, if CC is not found.
cc_make_args() {
  local cc=$1
  [[ -n $cc ]] || return 0
  [[ $cc != */* || $cc == /* ]] || cc=$(abspath "$cc")
  command -v "$cc" >/dev/null || die "$2: compiler $cc not found"
  printf '%s\n' "CC=$cc" "HOSTCC=$cc"
}

# staged_tmp FINAL: a new temp path next to FINAL (same file system, so that the
# final rename is atomic); creates FINAL's directory.
staged_tmp() {
  mkdir -p "$(dirname "$1")"
  mktemp -u "$(dirname "$1")/.$(basename "$1").tmp.XXXXXX"
}

# cc_identity CC: prints the identity of kernel compiler CC (what kernel_cc_toolchain's
# identity file holds): its path, target, version, --version text, and the path and sha256 of
# the driver, of the compiler proper it runs (cc1) and of the assembler and linker Kbuild
# uses. Paths under a Bazel external repository are printed from `external/` on, so that a
# hermetic compiler's identity does not depend on the output base. Dies, naming CC, when a
# program cannot be found.
cc_identity() {
  local cc=$1 drv tool p
  drv=$(command -v -- "$cc") || die "compiler $cc: not found on this machine"
  echo "# rules_modsign kernel compiler identity: an input of every KernelBuild and KernelModule action"
  echo "compiler $cc"
  echo "target $("$cc" -dumpmachine)" || die "compiler $cc: -dumpmachine failed"
  echo "version $("$cc" -dumpfullversion -dumpversion)" || die "compiler $cc: -dumpfullversion failed"
  _cc_file_line driver "$drv"
  for tool in cc1 as ld; do
    p=$("$cc" -print-prog-name="$tool") || die "compiler $cc: -print-prog-name=$tool failed"
    if [[ $p != */* ]]; then
      p=$(command -v -- "$p") || die "compiler $cc: its $tool is neither in its own directories nor on PATH"
    fi
    _cc_file_line "$tool" "$p"
  done
  # (pipefail: the scripts that source this set it.)
  "$cc" --version | sed -e 's/^/version-text /' -e 's/[[:space:]]*$//' || die "compiler $cc: --version failed"
}

_cc_file_line() { # ROLE PATH
  local real sum
  real=$(readlink -f -- "$2") || die "$1 $2: cannot resolve"
  [[ -f $real ]] || die "$1 $2: no such file"
  sum=$(sha256sum -- "$real") || die "$1 $real: cannot read"
  case "$real" in
    */external/*) real=external/${real#*/external/} ;;
    "$RMS_EXECROOT"/*) real=${real#"$RMS_EXECROOT"/} ;;
  esac
  echo "file $1 $real ${sum%% *}"
}

# cc_check IDENTITY CC: dies unless compiler CC, as this machine runs it now, has exactly the
# identity recorded in file IDENTITY (the kernel_cc_toolchain's, from which Bazel computed this
# action's key). Catches a remote executor, a CI host or an upgraded package whose compiler
# differs from the one the action key names, before a wrong result can be cached.
cc_check() {
  local identity=$1 cc=$2 now
  [[ -f $identity ]] || die "--cc-identity $identity: no such file"
  now=$(cc_identity "$cc") || exit 1
  if [[ $now != "$(cat "$identity")" ]]; then
    echo "$prog: error: the compiler $cc on this machine is not the one this action was keyed with." >&2
    echo "$prog: the kernel_cc_toolchain's identity ($identity) differs from what $cc is now:" >&2
    diff <(cat "$identity") <(printf '%s\n' "$now") | sed -n 's/^[<>] /  &/p' >&2 || true
    die "refusing to build with another compiler than the action key names ('<' recorded, '>' now): re-fetch the toolchain repository (bazel sync --only=<its repository>, or bazel clean --expunge) after a compiler upgrade, or run the action where that compiler is installed"
  fi
}
