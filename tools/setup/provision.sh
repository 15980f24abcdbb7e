#!/usr/bin/env bash
# Provisions the offline Bazel used by tools/bazel: a Debian sid chroot with Bazel 7.7.1,
# QEMU, compilers and kernel sources, plus every Bazel module the project resolves, taken
# from Debian's packages and the Go module proxy.  Nothing comes from the Bazel Central
# Registry, GitHub or mirrors.
#
# Idempotent and safe to interrupt: every stage ends with a stamp written last, a stage
# without its stamp is redone, and a lock serializes overlapping runs.
set -euo pipefail
# shellcheck source=tools/setup/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SETUP=$RMS_REPO/tools/setup
trap 'rms_log "provisioning failed at ${BASH_SOURCE[0]}:$LINENO: $BASH_COMMAND"' ERR

# Bump when a stage changes meaning; the hash below also covers this script and the stubs.
RMS_PROVISION_VERSION=1
RULES_GO_VERSION=v0.65.0
GAZELLE_VERSION=v0.54.0
GAZELLE_V2_VERSION=v2.0.0-3

# Packages in the chroot. linux-source-6.1 and linux-kbuild-6.1 (its scripts/sign-file is the
# signer tests' oracle) come from bookworm, the rest from sid.
CHROOT_PACKAGES=(
  bazel-bootstrap bazel-skylib bazel-platforms bazel-features bazel-rules-cc bazel-rules-java
  bazel-rules-proto bazel-rules-python bazel-rules-license bazel-rules-shell bazel-lib
  build-essential gcc-12 ca-certificates git bc bison flex cpio kmod libelf-dev libssl-dev
  file gawk openssl python3 zip rsync xz-utils zstd qemu-system-x86 linux-source-7.2 linux-source-6.1
  linux-kbuild-6.1 softhsm2 pkcs11-provider linux-kbuild-7.2
  opensc # pkcs11-tool: the e2e SoftHSM2 token (e2e/workspace/pkcs11/token.bzl) generates a key in it
  bazel-stardoc
  dkms # tools/dkms_check.sh: Debian's DKMS signing with modsign sign-file
  # UEFI Secure Boot tests: the ESP image (mtools, sfdisk) and the varstore (virt-fw-vars, sid only).
  mtools fdisk python3-virt-firmware python3-pefile python3-importlib-resources
  gcc-16 # tools/toolchain_check.sh: a second kernel compiler next to gcc-12, whatever sid's default gcc becomes
  # tools/remote_exec: the remote-execution engine is Bazel's own remote worker, compiled from
  # Bazel 7.7.1's source with the JDK (buildbox-casd 1.4.30 speaks REAPI 2.1+, Bazel 7.7.1 only 2.0).
  bazel-bootstrap-source default-jdk-headless
)

stamp_id() {
  {
    echo "$RMS_PROVISION_VERSION ${CHROOT_PACKAGES[*]} $RULES_GO_VERSION $GAZELLE_VERSION $RMS_GOROOT"
    cat "$SETUP/provision.sh"
    find "$SETUP/stub_modules" -type f -print0 | sort -z | xargs -0 cat
  } | sha256sum | cut -c1-16
}
ID=$(stamp_id)
DONE_STAMP=$RMS_CACHE/.provisioned-$ID
[[ -f "$DONE_STAMP" && -d "$RMS_ROOT" ]] && exit 0

[[ $(id -u) == 0 ]] || rms_die "the offline Bazel needs root (debootstrap, chroot, mount namespaces).
  Either run as root, or install Bazel 7 or later (bazelisk) so tools/bazel can use it directly."
command -v apt-get >/dev/null || rms_die "no apt-get: the offline Bazel needs a Debian or Ubuntu host.
  Install Bazel 7 or later (bazelisk) instead; tools/bazel uses it when it is on PATH."

mkdir -p "$RMS_CACHE" "$RMS_DATA"
exec 9>"$RMS_CACHE/provision.lock"
if ! flock -n 9; then
  rms_log "another tools/bazel is provisioning; waiting for it"
  flock 9
fi
[[ -f "$DONE_STAMP" && -d "$RMS_ROOT" ]] && exit 0

T0=$SECONDS
stage() {
  STAGE_NAME=$1
  STAGE_T0=$SECONDS
  rms_log "provisioning: $1"
}
stage_done() { rms_log "provisioning: $STAGE_NAME took $((SECONDS - STAGE_T0)) s"; }

# --- host tools ---------------------------------------------------------------------------
if ! command -v debootstrap >/dev/null || ! command -v unshare >/dev/null; then
  stage "host packages (debootstrap)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap util-linux >/dev/null
  stage_done
fi

# --- the sid chroot ---------------------------------------------------------------------
if [[ ! -f "$RMS_ROOT/.rms-debootstrap" ]]; then
  stage "debootstrap Debian sid into $RMS_ROOT"
  rm -rf "$RMS_CACHE/sid.partial"
  debootstrap --variant=minbase sid "$RMS_CACHE/sid.partial" http://deb.debian.org/debian \
    >"$RMS_CACHE/debootstrap.log" 2>&1 || {
    tail -20 "$RMS_CACHE/debootstrap.log" >&2
    rms_die "debootstrap failed; the whole log is $RMS_CACHE/debootstrap.log"
  }
  touch "$RMS_CACHE/sid.partial/.rms-debootstrap"
  rm -rf "$RMS_ROOT"
  mv "$RMS_CACHE/sid.partial" "$RMS_ROOT"
  stage_done
fi

# Packages are only ever added: several work trees (or branches) may share one chroot, and
# each may list more packages than another; the stage runs while any listed one is missing.
packages_missing() {
  [[ -f "$RMS_ROOT/.rms-apt-configured" ]] || return 0
  local st
  st=$(dpkg-query --admindir="$RMS_ROOT/var/lib/dpkg" -W -f='${db:Status-Status}\n' \
    "${CHROOT_PACKAGES[@]}" 2>/dev/null) || return 0
  [[ $(grep -cx installed <<<"$st") -eq ${#CHROOT_PACKAGES[@]} ]] && return 1
  return 0
}
if packages_missing; then
  stage "apt packages in the chroot (Bazel, QEMU, compilers, kernel sources)"
  # The sid Release file can be past its Valid-Until date on the mirror.
  echo 'Acquire::Check-Valid-Until "false";' >"$RMS_ROOT/etc/apt/apt.conf.d/99rules-modsign"
  cat >"$RMS_ROOT/etc/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian sid main
deb http://deb.debian.org/debian bookworm main
EOF
  # Prefer sid; bookworm only supplies what sid lacks (linux-source-6.1, linux-kbuild-6.1).
  cat >"$RMS_ROOT/etc/apt/preferences.d/rules-modsign" <<'EOF'
Package: *
Pin: release n=bookworm
Pin-Priority: 100
EOF
  # Egress may go through an intercepting CA: trust what the host trusts.
  mkdir -p "$RMS_ROOT/usr/local/share/ca-certificates"
  cp -f /usr/local/share/ca-certificates/*.crt "$RMS_ROOT/usr/local/share/ca-certificates/" 2>/dev/null || true
  rms_in_chroot -- bash -c '
    set -e
    apt-get update -qq
    apt-get install -o DPkg::Lock::Timeout=600 -y -qq --no-install-recommends ca-certificates >/dev/null
    update-ca-certificates >/dev/null 2>&1 || true
    apt-get install -o DPkg::Lock::Timeout=600 -y -qq --no-install-recommends "$@" >/var/log/rules-modsign-apt.log 2>&1 ||
      { tail -30 /var/log/rules-modsign-apt.log; exit 1; }
    apt-get clean
  ' apt "${CHROOT_PACKAGES[@]}" || rms_die "apt-get install in the chroot failed (log above)"
  touch "$RMS_ROOT/.rms-apt-configured"
  stage_done
fi

# --- Bazel modules from the Go module proxy ---------------------------------------------
fetch_go_module() { # MODULE@VERSION DEST
  local dir
  dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -d "$dir" ]] || rms_die "go mod download $1 failed"
  rm -rf "$2.partial"
  cp -r "$dir" "$2.partial"
  chmod -R u+w "$2.partial"
  # The proxy's zips lose exec bits.
  { grep -rlI --null '^#!' "$2.partial" || true; } | xargs -0 -r chmod +x
  rm -rf "$2"
  mv "$2.partial" "$2"
}

# The modules depend only on their versions, the stand-ins and the patch script, not on the
# rest of this file: refetching them (rm -rf) under a running Bazel server breaks its builds.
mods_id() {
  {
    echo "$RMS_PROVISION_VERSION $RULES_GO_VERSION $GAZELLE_VERSION $GAZELLE_V2_VERSION"
    cat "$SETUP/patch_modules.sh"
    find "$SETUP/stub_modules" -type f -print0 | sort -z | xargs -0 cat
  } | sha256sum | cut -c1-16
}
mods_stamp="$RMS_MODULES/.rms-mods-$(mods_id)"
if [[ ! -f "$mods_stamp" ]]; then
  stage "Bazel modules: rules_go $RULES_GO_VERSION, gazelle $GAZELLE_VERSION, local stand-ins"
  mkdir -p "$RMS_MODULES"
  fetch_go_module "github.com/bazelbuild/rules_go@$RULES_GO_VERSION" "$RMS_MODULES/rules_go"
  fetch_go_module "github.com/bazelbuild/bazel-gazelle@$GAZELLE_VERSION" "$RMS_MODULES/gazelle"
  # The proxy drops nested modules; gazelle's go.work names ./v2.
  if [[ ! -d "$RMS_MODULES/gazelle/v2" ]]; then
    fetch_go_module "github.com/bazel-contrib/bazel-gazelle/v2@$GAZELLE_V2_VERSION" "$RMS_MODULES/gazelle-v2"
    mv "$RMS_MODULES/gazelle-v2" "$RMS_MODULES/gazelle/v2"
    touch "$RMS_MODULES/gazelle/v2/go.sum"
  fi
  # Stand-ins for modules needed only for resolution, and patched Debian ones.
  for d in "$SETUP"/stub_modules/*/; do
    n=$(basename "$d")
    rm -rf "$RMS_MODULES/$n"
    cp -r "$d" "$RMS_MODULES/$n"
  done
  "$SETUP/patch_modules.sh" "$RMS_ROOT" "$RMS_MODULES"
  rm -f "$RMS_MODULES"/.rms-*
  touch "$mods_stamp"
  stage_done
fi

# --- the offline bazelrc --------------------------------------------------------------------
stage "offline bazelrc"
{
  echo "# Written by tools/setup/provision.sh: the offline settings of the chroot's Bazel."
  echo "startup --output_user_root=$RMS_DATA/output_user_root"
  echo "common --lockfile_mode=off"
  # Bazel 7 evaluates the WORKSPACE suffix, and fetches rules_cc from GitHub for it, unless
  # told not to: a new Bzlmod workspace then works without a .bazelrc of its own.
  # (--config=workspace, on the command line, still turns WORKSPACE on.)
  echo "common --noenable_workspace"
  for m in rules_go gazelle "$SETUP"/stub_modules/* bazel_features; do
    m=$(basename "$m")
    echo "common --override_module=$m=$RMS_MODULES/$m"
  done
  echo "common --override_module=rules_shell=/usr/share/bazel/rules/shell"
  # WORKSPACE mode (--config=workspace): the same sources as repositories.
  for r in io_bazel_rules_go=rules_go bazel_gazelle=gazelle package_metadata=package_metadata \
    io_bazel_rules_go_bazel_features=bazel_features bazel_features=bazel_features; do
    echo "common:workspace --override_repository=${r%%=*}=$RMS_MODULES/${r#*=}"
  done
  for r in bazel_skylib=tools/skylib platforms=tools/platforms rules_cc=rules/cc rules_java=rules/java \
    rules_license=rules/license rules_proto=rules/proto rules_python=rules/python rules_shell=rules/shell; do
    echo "common:workspace --override_repository=${r%%=*}=/usr/share/bazel/${r#*=}"
  done
  echo "common --repo_env=GOPROXY=https://proxy.golang.org"
  echo "common --repo_env=GOROOT=$RMS_GOROOT"
  echo "common --repository_cache=$RMS_DATA/repository_cache"
  echo "build --disk_cache=$RMS_DATA/disk_cache"
} >"$RMS_RC.partial"
mv "$RMS_RC.partial" "$RMS_RC"
# Debian's stardoc for workspaces that depend on it (rules_modsign's docs/): a separate file,
# because Bazel refuses an --override_module for a module the workspace does not use.
echo "common --override_module=stardoc=/usr/share/bazel/tools/stardoc" >"$RMS_DATA/offline.stardoc.bazelrc"
stage_done

touch "$DONE_STAMP"
rms_log "provisioning finished in $((SECONDS - T0)) s; chroot: $(du -sh "$RMS_ROOT" 2>/dev/null | cut -f1)"
