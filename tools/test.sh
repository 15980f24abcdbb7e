#!/usr/bin/env bash
# tools/test.sh: every test of rules_modsign, from a fresh Debian/Ubuntu machine with Go,
# gcc and git. It installs what it needs (apt packages, the Bazel chroot, Go modules).
#
#   tools/test.sh            everything
#   tools/test.sh STEP...    some steps: go bazel workspace gazelle e2e dkms realkernel cache remote_exec readme toolchain
#
# Prints one line per step and a closing "N passed, N failed"; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
bazel=$repo/tools/bazel
steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=(go bazel workspace gazelle e2e dkms realkernel cache remote_exec readme toolchain)
passed=0 failed=0 failures=()
log() { printf '\n=== %s\n' "$*"; }

run_step() { # NAME COMMAND...
  local name=$1 t0=$SECONDS
  shift
  log "$name"
  if "$@"; then
    passed=$((passed + 1))
    printf '=== %s: PASS (%d s)\n' "$name" $((SECONDS - t0))
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf '=== %s: FAIL (%d s)\n' "$name" $((SECONDS - t0))
  fi
}

host_packages() {
  # The sign-file oracle, kmod's modinfo and openssl, for the Go tests on the host.
  local need=()
  [[ -x /usr/lib/linux-kbuild-6.1/scripts/sign-file ]] || need+=(linux-kbuild-6.1)
  command -v modinfo >/dev/null || need+=(kmod)
  command -v openssl >/dev/null || need+=(openssl)
  command -v softhsm2-util >/dev/null || need+=(softhsm2) # the PKCS#11 token of the keys tests
  command -v debootstrap >/dev/null || need+=(debootstrap)
  command -v mformat >/dev/null || need+=(mtools) # mkuefi's ESP test
  command -v xz >/dev/null || need+=(xz-utils)     # compressed modules (signer/modfile)
  command -v zstd >/dev/null || need+=(zstd)
  [[ -x /usr/sbin/sfdisk || -x /sbin/sfdisk ]] || need+=(fdisk)
  command -v jq >/dev/null || need+=(jq) # tools/toolchain_check.sh reads aquery's JSON
  [[ ${#need[@]} -eq 0 ]] && return 0
  [[ $(id -u) == 0 ]] || { echo "tools/test.sh: install ${need[*]} (needs root)"; return 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}

step_go() {
  host_packages || return 1
  local unformatted
  unformatted=$(gofmt -l $(git ls-files '*.go' | grep -v /testdata/))
  [[ -z "$unformatted" ]] || { echo "gofmt would change: $unformatted"; return 1; }
  go vet ./... || return 1
  # buildifier, pinned to the buildtools version in go.sum, from the Go module proxy.
  local bt
  bt=$(go list -m -f '{{.Version}}' github.com/bazelbuild/buildtools) || return 1
  GOBIN=${RULES_MODSIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rules_modsign}/bin \
    go install "github.com/bazelbuild/buildtools/buildifier@$bt" || return 1
  "${RULES_MODSIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rules_modsign}/bin/buildifier" -mode=check -lint=warn \
    $(git ls-files '*.bzl' '*BUILD.bazel' '*MODULE.bazel' WORKSPACE | grep -v /testdata/ | sort -u) || {
    echo "buildifier: run buildifier -lint=fix on the files above"
    return 1
  }
  go test ./...
}

step_bazel() {
  "$bazel" test //... && rules/tests/execution_requirements_check.sh --strict &&
    rules/tests/pkcs11_build_check.sh && # kernel_module_signed through a real SoftHSM2 token
    "$bazel" test //... --config=bazel9compat # the flags Bazel 8 and 9 flip (.bazelrc)
}

step_workspace() { "$bazel" test --config=workspace //...; }

step_gazelle() {
  local rc=0
  "$bazel" run //:gazelle || return 1
  (cd e2e/workspace && "$bazel" run //:gazelle) || return 1
  if ! git diff --exit-code -- '*BUILD.bazel' || [[ -n "$(git status --porcelain -- '*BUILD.bazel')" ]]; then
    echo "gazelle changed BUILD files (above): run tools/bazel run //:gazelle and commit"
    git status --porcelain -- '*BUILD.bazel'
    rc=1
  fi
  return $rc
}

step_e2e() { (cd e2e/workspace && "$bazel" test //...); }

step_cache() { tools/remote_cache/check.sh; }

# Compiles on a real REAPI engine, signing and keys local: counts, scan, warm rebuild.
step_remote_exec() { tools/remote_exec/engine.sh selftest && tools/remote_exec/check.sh; }

# DKMS (sign_file = modsign sign-file) and kernel_module_signed: byte-identical modules.
step_dkms() { tools/dkms_check.sh; }

# Debian's own signed kernels of the day (bookworm's 6.1, sid's 7.x): every module verified,
# compared with modinfo, tampered and wrong-key controls.
step_realkernel() { tools/realkernel/check.sh; }

# The README's MODULE.bazel and BUILD.bazel, verbatim, in a fresh workspace.
step_readme() { tools/readme_test.sh; }

# The kernel compiler in the action key: one module with gcc-12 and gcc-16, two keys; the
# same compiler after bazel clean, a cache hit.
step_toolchain() { tools/toolchain_check.sh; }

for s in "${steps[@]}"; do
  case "$s" in
    go | bazel | workspace | gazelle | e2e | dkms | realkernel | cache | remote_exec | readme | toolchain) run_step "$s" "step_$s" ;;
    *)
      echo "tools/test.sh: unknown step $s (go bazel workspace gazelle e2e dkms realkernel cache remote_exec readme toolchain)"
      exit 2
      ;;
  esac
done

# No server and no mount may outlive the tests.
"$bazel" --cleanup >/dev/null 2>&1 || true
if findmnt -rn -o TARGET | grep -q rules_modsign; then
  echo "stale mounts remain:"
  findmnt -rn -o TARGET | grep rules_modsign
  failed=$((failed + 1))
  failures+=(mounts)
fi

echo
[[ $failed -eq 0 ]] || echo "failed steps: ${failures[*]}"
echo "tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
