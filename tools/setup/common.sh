# shellcheck shell=bash
# Shared by tools/bazel and tools/setup/*.sh: where the offline Bazel lives and how it runs.

RMS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RMS_CACHE=${RULES_MODSIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rules_modsign}
RMS_ROOT=$RMS_CACHE/sid            # the debootstrap chroot
RMS_DATA=$RMS_CACHE/data           # bind-mounted into the chroot at the same path
RMS_MODULES=$RMS_DATA/modules      # offline Bazel modules (rules_go, gazelle, stand-ins)
RMS_RC=$RMS_DATA/offline.bazelrc   # written by provision.sh
RMS_GOROOT=${RULES_MODSIGN_GOROOT:-$(go env GOROOT 2>/dev/null || echo /usr/local/go)}

rms_log() { printf 'rules_modsign: %s\n' "$*" >&2; }

# rms_mktemp_shared PREFIX: a new temp dir that an already running Bazel server of
# tools/bazel can write to (for example an --execution_log_json_file): such a server sees
# the host only through $RMS_DATA, mounted at the same path. Without the chroot (a host
# Bazel), an ordinary temp dir.
rms_mktemp_shared() {
  local base=${TMPDIR:-/tmp}
  if [[ -d $RMS_DATA ]]; then
    base=$RMS_DATA/tmp
    mkdir -p "$base"
  fi
  mktemp -d "$base/$1.XXXXXX"
}
rms_die() {
  printf 'rules_modsign: error: %s\n' "$*" >&2
  exit 1
}

# rms_in_chroot [--bind DIR]... -- COMMAND...: runs COMMAND (as root, with a clean
# environment) inside the chroot, in a private mount namespace that dies with it.
rms_in_chroot() {
  local binds=()
  while [[ $# -gt 0 && "$1" != -- ]]; do
    case "$1" in
      --bind)
        binds+=("$2")
        shift 2
        ;;
      *) rms_die "rms_in_chroot: unknown option $1" ;;
    esac
  done
  shift # --
  local cwd=${RMS_CWD:-/}
  local envs=(HOME=/root USER=root LANG=C.UTF-8
    "PATH=$RMS_GOROOT/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    "TERM=${TERM:-dumb}" "CI=${CI:-}" DEBIAN_FRONTEND=noninteractive)
  local v
  for v in $(compgen -e); do
    [[ "$v" == RULES_MODSIGN_* || "$v" == KBUILD_SIGN_PIN || "$v" == MODSIGN_REQUIRE_ORACLES ]] && envs+=("$v=${!v}")
  done
  # The script below runs in the new namespace. Mounts are private to it.
  # shellcheck disable=SC2016
  unshare --mount --propagation private -- bash -euc '
    root=$1 data=$2 goroot=$3 cwd=$4 nb=$5
    shift 5
    binds=("${@:1:$nb}")
    shift "$nb"
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --rbind /sys "$root/sys"
    mkdir -p "$root$data" "$root$goroot"
    mount --bind "$data" "$root$data"
    mount --bind "$goroot" "$root$goroot"
    mount -o remount,bind,ro "$root$goroot"
    for b in "${binds[@]}"; do
      mkdir -p "$root$b"
      mount --bind "$b" "$root$b"
    done
    cp -fL /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    exec chroot "$root" /usr/bin/env -i "$@"
  ' rms "$RMS_ROOT" "$RMS_DATA" "$RMS_GOROOT" "$cwd" "${#binds[@]}" "${binds[@]}" \
    "${envs[@]}" /bin/bash -c 'cd "$0" && exec "$@"' "$cwd" "$@"
}

# The workspace that contains the current directory: the nearest parent with
# MODULE.bazel, REPO.bazel, WORKSPACE or WORKSPACE.bazel.
rms_workspace_root() {
  local d=$PWD
  while [[ "$d" != / ]]; do
    for f in MODULE.bazel REPO.bazel WORKSPACE WORKSPACE.bazel; do
      [[ -f "$d/$f" ]] && {
        echo "$d"
        return 0
      }
    done
    d=$(dirname "$d")
  done
  echo "$PWD"
}

rms_run_bazel() {
  local ws
  ws=$(rms_workspace_root)
  local binds=(--bind "$RMS_REPO")
  [[ "$ws" == "$RMS_REPO" || "$ws" == "$RMS_REPO"/* ]] || binds+=(--bind "$ws")
  local extra
  for extra in ${RULES_MODSIGN_EXTRA_BINDS:-}; do binds+=(--bind "$extra"); done
  local rcs=("--bazelrc=$RMS_RC")
  # Optional offline modules (written by provision.sh), only for workspaces that use them.
  if [[ -f $RMS_DATA/offline.stardoc.bazelrc ]] && grep -qE 'bazel_dep\(name = "stardoc"' "$ws/MODULE.bazel" 2>/dev/null; then
    rcs+=("--bazelrc=$RMS_DATA/offline.stardoc.bazelrc")
  fi
  RMS_CWD=$PWD rms_in_chroot "${binds[@]}" -- bazel "${rcs[@]}" "$@"
}

# Bazel servers started through the launcher are processes whose root is the chroot.
rms_server_pids() {
  local p root
  for p in /proc/[0-9]*; do
    root=$(readlink "$p/root" 2>/dev/null) || continue
    [[ "$root" == "$RMS_ROOT" ]] || continue
    grep -qa -- '--output_base' "$p/cmdline" 2>/dev/null && echo "${p#/proc/}"
  done
  return 0
}

rms_cleanup() {
  local pids i
  pids=$(rms_server_pids)
  if [[ -n "$pids" ]]; then
    rms_log "stopping Bazel servers: $(echo "$pids" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for i in $(seq 1 60); do
      pids=$(rms_server_pids)
      [[ -z "$pids" ]] && break
      sleep 0.5
    done
    # shellcheck disable=SC2086
    [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null || true
  fi
  # Mounts made by older launchers or by hand in the host namespace.
  local m
  while read -r m; do
    [[ -n "$m" ]] && umount -R "$m" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET | grep -F "$RMS_ROOT/" | sort -r || true)
  if findmnt -rn -o TARGET | grep -qF "$RMS_ROOT/"; then
    rms_die "mounts under $RMS_ROOT remain: $(findmnt -rn -o TARGET | grep -F "$RMS_ROOT/" | tr '\n' ' ')"
  fi
  rms_log "no Bazel server runs in $RMS_ROOT and no mount of it remains"
}
