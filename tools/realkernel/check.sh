#!/usr/bin/env bash
# tools/realkernel/check.sh: modsign against Debian's own signed kernels, module by module.
#
# Downloads the kernel that Debian's linux-image-amd64 points at today, in bookworm (Linux
# 6.1, modules as .ko; from this machine's apt) and in sid (Linux 7.x, modules as .ko.xz;
# from the tools/bazel chroot's apt), extracts the certificate its build key left in the
# image (rules/private/scripts/image_certs.sh) and runs tools/realkernel over every module:
# all accepted by `modsign verify --kernel LINE`, `modsign info` equal to kmod's modinfo,
# tampered modules and another kernel's key refused, a compressed module never signed.
# Not pinned on purpose: whatever kernel Debian ships on the day is the input.
#
#   tools/realkernel/check.sh [bookworm] [sid]
#
# With CI=true a kernel that cannot be downloaded is a failure; otherwise it is skipped.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tools/setup/common.sh
source "$repo/tools/setup/common.sh"
say() { printf 'realkernel: %s\n' "$*"; }
die() { printf 'realkernel: FAIL: %s\n' "$*" >&2; exit 1; }
dists=("$@")
[[ ${#dists[@]} -gt 0 ]] || dists=(bookworm sid)

"$repo/tools/bazel" --provision >/dev/null || die "the tools/bazel chroot could not be provisioned (tools/bazel --provision)"
work=$(mktemp -d "$RMS_DATA/realkernel.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$repo" && go build -o "$work/bin/modsign" ./signer/cmd/modsign && go build -o "$work/bin/realkernel" ./tools/realkernel) ||
  die "go build failed"
# The chroot sees $work only: the scripts and files it needs are copied there.
cp "$repo/rules/private/scripts/image_certs.sh" "$repo/rules/tests/testdata/test-only-rsa2048.crt.pem" "$work/bin/"
inroot() { RMS_CWD=$work rms_in_chroot --bind "$work" -- "$@"; }

fetch() { # DIST: downloads the kernel's packages into $work/DIST/debs
  local dist=$1 dir=$work/$1/debs abi
  mkdir -p "$dir"
  case $dist in
    bookworm)
      # linux-image-amd64 -> linux-image-<abi> (the signed image with its modules).
      abi=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
      [[ -n $abi ]] || { apt-get update -qq >/dev/null 2>&1 || true; abi=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1); }
      [[ -n $abi ]] || return 1
      (cd "$dir" && apt-get download "$abi" >/dev/null 2>&1) || return 1
      ;;
    sid)
      # sid splits it: linux-image-<abi> depends on linux-binary-<abi> (the image) and
      # linux-modules-<abi> (the .ko.xz).
      inroot bash -c "cd '$dir' && abi=\$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)\$/\1/p' | head -n1) &&
        [[ -n \$abi ]] && pkgs=\$(apt-cache depends \$abi | sed -n 's/^ *Depends: \(linux-\(binary\|modules\)-[0-9][^ ]*\)\$/\1/p') &&
        apt-get download \$abi \$pkgs >/dev/null 2>&1" || return 1
      ;;
  esac
  ls "$dir"/*.deb >/dev/null 2>&1
}

fails=0
for dist in "${dists[@]}"; do
  if ! fetch "$dist"; then
    [[ ${CI:-} == true ]] && die "could not download $dist's kernel packages"
    say "SKIPPED $dist: its kernel packages could not be downloaded"
    continue
  fi
  tree=$work/$dist/tree
  mkdir -p "$tree"
  for d in "$work/$dist"/debs/*.deb; do dpkg-deb -x "$d" "$tree"; done
  image=$(find "$tree" -name 'vmlinuz*' -type f -print -quit)
  [[ -n $image ]] || die "$dist: no vmlinuz in $(ls "$work/$dist/debs")"
  release=$(find "$tree" -path '*/modules/*' -name '*.ko*' -print -quit | sed -E 's|.*/modules/([^/]+)/.*|\1|')
  line=$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$release")
  known=$("$work/bin/modsign" verify -h 2>&1 | sed -n 's/.*kernel line whose rules decide: \(.*\) (default.*/\1/p' | tr -d ',' | sed 's/ or / /g')
  if ! grep -qw -- "$line" <<<"$known"; then
    newest=$(tr ' ' '\n' <<<"$known" | grep "^${line%%.*}\." | sort -V | tail -n1)
    [[ -n $newest ]] || die "$dist: Linux $line has no modsign profile ($known)"
    say "note: Linux $line has no profile of its own; checking with the $newest profile"
    line=$newest
  fi
  inroot bash "$work/bin/image_certs.sh" "$image" "$work/$dist/all.pem" "$work/$dist/cert.pem" >/dev/null ||
    die "$dist: no certificate in $image"
  say "$dist: $(ls "$work/$dist/debs" | tr '\n' ' ')(release $release, profile $line)"
  echo "$line" >"$work/$dist/line"
done

for dist in "${dists[@]}"; do
  [[ -f $work/$dist/line ]] || continue
  other=""
  for o in "${dists[@]}"; do [[ $o != "$dist" && -f $work/$o/cert.pem ]] && other=$work/$o/cert.pem; done
  [[ -n $other ]] || other=$work/bin/test-only-rsa2048.crt.pem
  line=$(cat "$work/$dist/line")
  config=$(find "$work/$dist/tree" -path '*/boot/*' -name 'config-*' -print -quit)
  args=(--modsign "$work/bin/modsign" --modinfo /usr/sbin/modinfo --line "$line" --cert "$work/$dist/cert.pem" --other-cert "$other")
  [[ -n $config ]] && args+=(--kernel-config "$config")
  inroot "$work/bin/realkernel" "${args[@]}" "$work/$dist/tree" || fails=$((fails + 1))
done
[[ $fails -eq 0 ]] || die "$fails kernel(s) failed"
