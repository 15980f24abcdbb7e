#!/usr/bin/env bash
# tools/toolchain_check.sh: the kernel compiler is part of the action key (issue #15).
#
# In a fresh Bzlmod workspace outside the repository (no .bazelrc of its own), the e2e
# workspace's hello module is built against Debian's 6.1 headers twice: with gcc-12 (the
# compiler Debian built that kernel with) and with gcc-16, both from the machine (under
# tools/bazel: the sid chroot), through the default kernel_cc toolchain. Then:
#   1. the two KernelModule actions have different action keys (`bazel aquery`'s actionKey)
#      and different remote-execution action digests (the execution log's `digest`), and each
#      has its compiler's identity file among its inputs;
#   2. after `bazel clean`, the gcc-12 module is built again with the same --disk_cache: the
#      KernelModule action must be a cache hit (the execution log's runner), not run again.
# It prints the figures side by side and exits 1 if the keys are equal, if there is no hit,
# or if gcc-12 or gcc-16 is missing (a check that cannot run fails; it never skips).
#
# Usage: tools/toolchain_check.sh [--keep]   (--keep: leave the workspace and its Bazel server)
# Needs: tools/bazel (or a Bazel 7+), jq, and the Debian 6.1 packages pinned in
# e2e/workspace/MODULE.bazel (from the repository cache, or apt-get download).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
keep=0
[[ ${1:-} == --keep ]] && keep=1
say() { echo "toolchain_check: $*"; }
die() {
  echo "toolchain_check: FAIL: $*" >&2
  exit 1
}

ws=$(mktemp -d "${TMPDIR:-/tmp}/rules_modsign_toolchain.XXXXXX")
cleanup() {
  if ((keep)); then
    say "kept $ws"
  else
    (cd "$ws" && "$repo/tools/bazel" shutdown >/dev/null 2>&1) || true
    rm -rf "$ws"
  fi
}
trap cleanup EXIT

command -v jq >/dev/null || die "jq is needed to read Bazel's JSON output (apt-get install jq)"
json_query() { jq -r "$1" "$2"; } # FILTER FILE (a JSON value, or a stream of them)

# The Debian kernel pin, from the e2e workspace (the one place it is pinned), twice: the
# second repository differs only by cc.
pin=$(awk '/^debian_kernels\.kernel\($/ { on = 1 } on { print } on && /^\)$/ { exit }' "$repo/e2e/workspace/MODULE.bazel")
[[ $pin == *'name = "debian_6_1"'* ]] || die "no debian_kernels.kernel(name = \"debian_6_1\", ...) block in e2e/workspace/MODULE.bazel"
pin16=${pin/name = \"debian_6_1\"/name = \"debian_6_1_gcc16\"}
pin16=${pin16/debian_kernels.kernel(/debian_kernels.kernel(
    cc = \"gcc-16\",}
cat >"$ws/MODULE.bazel" <<EOF
bazel_dep(name = "rules_modsign", version = "0.1.0")
local_path_override(module_name = "rules_modsign", path = "$repo")

bazel_dep(name = "rules_go", version = "0.65.0")
go_sdk = use_extension("@rules_go//go:extensions.bzl", "go_sdk")
go_sdk.host()

debian_kernels = use_extension("@rules_modsign//rules:extensions.bzl", "debian_kernels")
$pin
$pin16
use_repo(debian_kernels, "debian_6_1", "debian_6_1_gcc16")

# The machine's compilers (rules_modsign registers them; here only to list them).
kernel_cc = use_extension("@rules_modsign//rules:extensions.bzl", "kernel_cc")
use_repo(kernel_cc, "rules_modsign_kernel_cc")
EOF
cat >"$ws/BUILD.bazel" <<'EOF'
load("@rules_modsign//rules:defs.bzl", "kernel_module")

# One module, one kernel (Debian's 6.1 headers), two compilers: gcc-12 (Debian's) and gcc-16.
kernel_module(name = "hello_gcc12", srcs = ["hello.c"], kbuild = "Kbuild", module_name = "hello", kernel = "@debian_6_1//:kernel")

kernel_module(name = "hello_gcc16", srcs = ["hello.c"], kbuild = "Kbuild", module_name = "hello", kernel = "@debian_6_1_gcc16//:kernel")
EOF
cp "$repo/e2e/workspace/hello/hello.c" "$repo/e2e/workspace/hello/Kbuild" "$ws/"

bz() { (cd "$ws" && "$repo/tools/bazel" "$@"); }
dc=$ws/disk_cache
flags=(--disk_cache="$dc" --remote_upload_local_results)

# The compilers must be there: this check cannot pass without them.
bz query @rules_modsign_kernel_cc//:all >"$ws/compilers" 2>"$ws/query.log" || { cat "$ws/query.log" >&2; die "cannot list @rules_modsign_kernel_cc"; }
for c in gcc-12 gcc-16; do
  grep -qx "@rules_modsign_kernel_cc//:$c" "$ws/compilers" ||
    die "no $c among the registered kernel compilers ($(tr '\n' ' ' <"$ws/compilers")); install it (apt-get install $c; tools/setup/provision.sh does in the chroot)"
done

say "1. action keys (bazel aquery), then a build with both compilers"
bz aquery --output=jsonproto 'mnemonic("KernelModule", //:all)' >"$ws/aquery.json" 2>"$ws/aquery.log" ||
  { tail -n 30 "$ws/aquery.log" >&2; die "bazel aquery failed"; }
key_of() { # TARGET: the actionKey of its KernelModule action
  json_query "(.targets[] | select(.label == \"//:$1\") | .id) as \$t | .actions[] | select(.targetId == \$t) | .actionKey" \
    "$ws/aquery.json"
}
identity_of() { # TARGET: the identity file among its KernelModule action's inputs
  bz aquery --output=text "inputs('.*\\.identity', mnemonic('KernelModule', //:$1))" 2>/dev/null |
    sed -n 's/^  Inputs: \[\(.*\)\]$/\1/p' | tr ',' '\n' | sed 's/^ *//' | grep '\.identity$' || true
}
key12=$(key_of hello_gcc12)
key16=$(key_of hello_gcc16)
id12=$(identity_of hello_gcc12)
id16=$(identity_of hello_gcc16)
[[ -n $key12 && -n $key16 ]] || die "no KernelModule action key in aquery's output ($ws/aquery.json)"
[[ $id12 == *gcc-12.identity ]] || die "the gcc-12 KernelModule action does not read gcc-12's identity (inputs: '$id12')"
[[ $id16 == *gcc-16.identity ]] || die "the gcc-16 KernelModule action does not read gcc-16's identity (inputs: '$id16')"

t0=$SECONDS
bz build "${flags[@]}" --execution_log_json_file="$ws/exec1.json" //:hello_gcc12 //:hello_gcc16 >"$ws/build1.log" 2>&1 ||
  { tail -n 40 "$ws/build1.log" >&2; die "building hello with gcc-12 and gcc-16 failed"; }
build1=$((SECONDS - t0))
out=$(bz info bazel-bin 2>/dev/null)
sum12=$(sha256sum "$out/hello_gcc12/hello.ko" | cut -c1-16)
sum16=$(sha256sum "$out/hello_gcc16/hello.ko" | cut -c1-16)
ver() { strings "$1" | sed -n 's/^GCC: //p' | head -n1; }
gccv12=$(ver "$out/hello_gcc12/hello.ko")
gccv16=$(ver "$out/hello_gcc16/hello.ko")
digest_of() { # LOG TARGET: the remote-execution action digest of its KernelModule spawn
  json_query "select(.mnemonic == \"KernelModule\" and .targetLabel == \"//:$2\") | .digest.hash" \
    "$1" 2>/dev/null | head -n1
}
# (The execution log is a stream of JSON objects, which jq reads one by one.)
dig12=$(digest_of "$ws/exec1.json" hello_gcc12 || true)
dig16=$(digest_of "$ws/exec1.json" hello_gcc16 || true)
where_of() { # LOG TARGET: the runner of its KernelModule spawn
  json_query "select(.mnemonic == \"KernelModule\" and .targetLabel == \"//:$2\") | .runner" "$1" 2>/dev/null | head -n1
}
run12=$(where_of "$ws/exec1.json" hello_gcc12 || true)
run16=$(where_of "$ws/exec1.json" hello_gcc16 || true)

say "2. bazel clean, then hello_gcc12 again with the same disk cache"
bz clean >/dev/null 2>&1 || die "bazel clean failed"
t0=$SECONDS
bz build "${flags[@]}" --execution_log_json_file="$ws/exec2.json" //:hello_gcc12 >"$ws/build2.log" 2>&1 ||
  { tail -n 40 "$ws/build2.log" >&2; die "the rebuild with gcc-12 failed"; }
build2=$((SECONDS - t0))
rerun=$(where_of "$ws/exec2.json" hello_gcc12 || true)
redig=$(digest_of "$ws/exec2.json" hello_gcc12 || true)
resum=$(sha256sum "$out/hello_gcc12/hello.ko" | cut -c1-16)

printf '\n%-34s %-68s %s\n' "" "gcc-12 (@debian_6_1)" "gcc-16 (@debian_6_1_gcc16)"
printf '%-34s %-68s %s\n' "identity input" "${id12##*/}" "${id16##*/}"
printf '%-34s %-68s %s\n' "aquery actionKey" "$key12" "$key16"
printf '%-34s %-68s %s\n' "execution log action digest" "${dig12:-(none)}" "${dig16:-(none)}"
printf '%-34s %-68s %s\n' "first build: runner" "$run12" "$run16"
printf '%-34s %-68s %s\n' "compiler in hello.ko (.comment)" "$gccv12" "$gccv16"
printf '%-34s %-68s %s\n' "hello.ko sha256 (first 16)" "$sum12" "$sum16"
printf '%-34s %-68s %s\n' "after bazel clean: runner" "$rerun" "-"
printf '%-34s %-68s %s\n' "after bazel clean: digest" "${redig:-(none)}" "-"
printf '%-34s %-68s %s\n' "after bazel clean: hello.ko" "$resum" "-"
printf '%-34s %-68s %s\n\n' "wall time" "${build1} s (both), ${build2} s (rebuild)" ""

[[ $key12 != "$key16" ]] || die "gcc-12 and gcc-16 give the same KernelModule action key: the compiler is not in the key"
[[ -z $dig12 || $dig12 != "$dig16" ]] || die "gcc-12 and gcc-16 give the same action digest"
[[ $gccv12 == *" 12."* ]] || die "hello.ko built for gcc-12 says it was compiled by '$gccv12'"
[[ $gccv16 == *" 16."* ]] || die "hello.ko built for gcc-16 says it was compiled by '$gccv16'"
[[ $rerun == *"cache hit"* ]] || die "after bazel clean, the gcc-12 KernelModule action was not a cache hit (runner '$rerun')"
[[ -z $redig || $redig == "$dig12" ]] || die "the rebuild's action digest $redig differs from the first build's $dig12"
[[ $resum == "$sum12" ]] || die "the cached hello.ko differs from the first build's"
say "PASS: two compilers, two action keys; the same compiler after bazel clean: $rerun"
