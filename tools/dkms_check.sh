#!/usr/bin/env bash
# tools/dkms_check.sh: DKMS and rules_modsign sign the same module to the same bytes.
#
# Debian's `dkms` (from the tools/bazel chroot, or the host without it) builds e2e's
# hello module as a real DKMS package (a dkms.conf, `dkms build`) against Debian's 6.1
# headers as assembled by `@debian_6_1//:kernel`, with DKMS's own signing step pointed at
# `modsign sign-file` and the MOK of //debian_6_1:mok_key (sign_file, mok_signing_key,
# mok_certificate). Then:
#   1. the module DKMS built, before signing, equals //debian_6_1:hello (kernel_module);
#   2. the module DKMS signed equals //debian_6_1:hello_mok (kernel_module_signed), byte for
#      byte, and verifies with the MOK certificate;
#   3. control: it differs from //debian_6_1:hello_foreign (another key), so the comparison
#      can fail.
# DKMS reads its configuration only from /etc/dkms: the check gives it a private
# framework.conf.d bind-mounted in a private mount namespace, so no DKMS configuration on
# the host or in the chroot changes, and its tree, sources and install tree are temporary.
#
# With CI=true a missing dkms is a failure; otherwise the check says so and is skipped.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tools/setup/common.sh
source "$repo/tools/setup/common.sh"
bazel=$repo/tools/bazel
ws=$repo/e2e/workspace
t0=$SECONDS
say() { printf 'dkms_check: %s\n' "$*"; }
die() { printf 'dkms_check: FAIL: %s\n' "$*" >&2; exit 1; }

# Where DKMS runs: the chroot when tools/bazel uses one (Bazel's outputs are visible there
# at the same paths), else this machine.
in_chroot=false
[[ -d $RMS_ROOT/usr/sbin ]] && ! command -v "${BAZEL_REAL:-/nonexistent}" >/dev/null && in_chroot=true
run() { # COMMAND...: in the environment DKMS runs in
  if $in_chroot; then rms_in_chroot -- "$@"; else "$@"; fi
}
if ! run bash -c 'command -v dkms >/dev/null'; then
  where=$($in_chroot && echo "the tools/bazel chroot ($RMS_ROOT; tools/setup/provision.sh installs it)" || echo "this machine (apt-get install dkms)")
  if [[ ${CI:-} == true ]]; then die "dkms is not installed in $where"; fi
  say "SKIPPED: dkms is not installed in $where"
  exit 0
fi
say "dkms $(run dpkg-query -W -f '${Version}' dkms 2>/dev/null || echo '?') in $($in_chroot && echo the chroot || echo this machine)"

targets=(//debian_6_1:hello //debian_6_1:hello_mok //debian_6_1:hello_foreign //debian_6_1:mok_key
  @debian_6_1//:kernel @rules_modsign//signer/cmd/modsign)
(cd "$ws" && "$bazel" build --output_groups=+tree,+private_key "${targets[@]}") >&2 || die "bazel build failed"
files() { (cd "$ws" && "$bazel" cquery --output=files --output_groups="$2" "$1" 2>/dev/null) | sed "s|^|$ws/|"; }
one() { # TARGET OUTPUT_GROUPS SUFFIX
  local f
  f=$(files "$1" "$2" | grep -E -- "$3\$" | head -n 1)
  [[ -n $f && -e $f ]] || die "no output ending in $3 for $1"
  readlink -f "$f"
}
unsigned=$(one //debian_6_1:hello default .ko)
signed=$(one //debian_6_1:hello_mok default .ko)
foreign=$(one //debian_6_1:hello_foreign default .ko)
key=$(one //debian_6_1:mok_key private_key .key.pem)
cert=$(one //debian_6_1:mok_key default .crt.pem)
tree=$(one @debian_6_1//:kernel tree /build)
release=$(sed -n 's/^KERNELRELEASE=//p' "$tree/rules_modsign.env")
[[ -n $release ]] || die "no KERNELRELEASE in $tree/rules_modsign.env"
modsign=$(one @rules_modsign//signer/cmd/modsign default /modsign)

work=$(rms_mktemp_shared dkms_check)
# DKMS_CHECK_KEEP=1 keeps the work directory (DKMS's tree, logs, modules) for a look.
trap '[[ -n ${DKMS_CHECK_KEEP:-} ]] && echo "dkms_check: kept $work" >&2 || rm -rf "$work"' EXIT
mkdir -p "$work/src/rms_hello-1.0" "$work/dkms" "$work/install" "$work/conf.d"
cp "$ws/hello/hello.c" "$ws/hello/Kbuild" "$work/src/rms_hello-1.0/"
# A DKMS package as its maintainers write one, plus what kernel_module.sh passes to make
# (file prefix maps, so that the build directory does not end up in the module) and no strip
# (kernel_module does not strip).
cat >"$work/src/rms_hello-1.0/dkms.conf" <<'EOF'
PACKAGE_NAME="rms_hello"
PACKAGE_VERSION="1.0"
BUILT_MODULE_NAME[0]="hello"
DEST_MODULE_LOCATION[0]="/updates/dkms"
STRIP[0]="no"
MAKE[0]="make -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build KCFLAGS='-ffile-prefix-map=${kernel_source_dir}=. -ffile-prefix-map=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build/= -ffile-prefix-map=${kernel_source_dir}/=' modules"
CLEAN="true"
AUTOINSTALL="no"
EOF
# sign_file: modsign's drop-in for scripts/sign-file; the wrapper keeps the module DKMS
# hands it (before signing) and the command line, for the comparison.
cat >"$work/sign-file" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$work/sign-file.args"
cp "\$4" "$work/dkms-unsigned.ko"
exec "$modsign" sign-file "\$@"
EOF
chmod +x "$work/sign-file"
cat >"$work/conf.d/rules_modsign.conf" <<EOF
sign_file="$work/sign-file"
mok_signing_key="$key"
mok_certificate="$cert"
EOF

say "dkms build rms_hello/1.0 for $release against $tree"
# shellcheck disable=SC2016
# In the chroot, rms_in_chroot's namespace is already private (and the chroot's / is no mount
# point, so its propagation cannot be changed); on the host, make the new one private.
propagation=private
$in_chroot && propagation=unchanged
if ! run unshare --mount --propagation "$propagation" -- bash -euc '
  work=$1 tree=$2 release=$3
  mount --bind "$work/conf.d" /etc/dkms/framework.conf.d
  dkms add -m rms_hello -v 1.0 --sourcetree "$work/src" --dkmstree "$work/dkms"
  dkms build -m rms_hello -v 1.0 -k "$release" --kernelsourcedir "$tree" \
    --sourcetree "$work/src" --dkmstree "$work/dkms" --installtree "$work/install"
' dkms "$work" "$tree" "$release" >"$work/dkms.log" 2>&1; then
  cat "$work/dkms.log" >&2
  find "$work/dkms" -name make.log -exec cat {} + >&2 2>/dev/null || true
  die "dkms build failed (log above)"
fi
sed 's/^/  dkms: /' "$work/dkms.log" | grep -iE 'sign|error|warn' >&2 || true
[[ -f $work/sign-file.args ]] || die "DKMS did not call sign_file (log: $(tr '\n' ' ' <"$work/dkms.log"))"
say "DKMS called: sign-file $(cat "$work/sign-file.args")"
dkms_signed=$(find "$work/dkms/rms_hello/1.0/$release" -name 'hello.ko*' -path '*/module/*' | head -n 1)
[[ -n $dkms_signed ]] || die "no hello.ko in DKMS's tree ($(find "$work/dkms" -name '*.ko*' | tr '\n' ' '))"
[[ $dkms_signed == *.ko ]] || die "DKMS compressed the module ($dkms_signed); this kernel does not"

sum() { sha256sum "$1" | cut -c1-16; }
say "bazel  unsigned $(stat -c %s "$unsigned") B $(sum "$unsigned")   signed $(stat -c %s "$signed") B $(sum "$signed")"
say "dkms   unsigned $(stat -c %s "$work/dkms-unsigned.ko") B $(sum "$work/dkms-unsigned.ko")   signed $(stat -c %s "$dkms_signed") B $(sum "$dkms_signed")"
cmp -s "$work/dkms-unsigned.ko" "$unsigned" ||
  die "the module DKMS built differs from //debian_6_1:hello ($(cmp "$work/dkms-unsigned.ko" "$unsigned" | head -n 1)); the signatures cannot be compared"
cmp -s "$dkms_signed" "$signed" ||
  die "DKMS's signed module differs from //debian_6_1:hello_mok ($(cmp "$dkms_signed" "$signed" | head -n 1))"
"$modsign" verify --cert "$cert" "$dkms_signed" >&2 || die "DKMS's signed module does not verify with the MOK"
if cmp -s "$dkms_signed" "$foreign"; then
  die "control: DKMS's module equals //debian_6_1:hello_foreign, signed with another key: the comparison proves nothing"
fi
say "PASS: DKMS (sign_file = modsign sign-file) and kernel_module_signed give byte-identical modules; control differs ($((SECONDS - t0)) s)"
