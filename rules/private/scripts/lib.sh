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
# empty); dies, naming WHAT, if CC is not on PATH.
cc_make_args() {
  [[ -n $1 ]] || return 0
  command -v "$1" >/dev/null || die "$2: compiler $1 not found on PATH"
  printf '%s\n' "CC=$1" "HOSTCC=$1"
}

# staged_tmp FINAL: a new temp path next to FINAL (same file system, so that the
# final rename is atomic); creates FINAL's directory.
staged_tmp() {
  mkdir -p "$(dirname "$1")"
  mktemp -u "$(dirname "$1")/.$(basename "$1").tmp.XXXXXX"
}
