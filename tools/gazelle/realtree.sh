#!/usr/bin/env bash
# Runs the kbuild Gazelle language over real kernel trees and prints figures
# (issue #13):
#   - Debian's linux-source-6.1 subtrees drivers/net, drivers/usb, fs, sound
#     and net, with every Kconfig* file of the tree (for symbol types), in a
#     temporary workspace: wall time and peak memory of one run, whether a
#     second run changes anything, the largest BUILD file, the modules that
#     Debian's linux-image-6.1.0-*-amd64-unsigned (same source version) ships
#     from these subtrees that got a target, composite srcs against GNU make's
#     evaluation of the same Makefiles, targets for built-in (bool) objects;
#   - the dkms sources of v4l2loopback, tp-smapi, ddcci and xtables-addons:
#     a target for every module their dkms.conf names.
# Nothing is committed: the .debs are cached in $RMS_REALTREE_CACHE
# (default ~/.cache/rules_modsign/realtree), the trees are extracted into a
# temporary directory that is removed at exit (unless --keep).
#
# Exits 1 when a figure misses its target (issue #13): a second run changes a
# BUILD file, composite srcs agree with make for less than 99.5%, a BUILD file is
# over 512 KiB, a target exists for a built-in object, a shipped module or a
# dkms.conf module has no target.
#
# Usage: tools/gazelle/realtree.sh [--keep] [--skip-dkms] [--skip-kernel]
# Needs: apt-get (download only, any user), dpkg-deb, tar, xz, go, make, /usr/bin/time.
set -euo pipefail

keep=0 dkms=1 kernel=1
for a in "$@"; do
	case "$a" in
	--keep) keep=1 ;;
	--skip-dkms) dkms=0 ;;
	--skip-kernel) kernel=0 ;;
	-h | --help)
		sed -n '2,24p' "$0"
		exit 0
		;;
	*)
		echo "realtree.sh: unknown argument $a" >&2
		exit 2
		;;
	esac
done

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${RMS_REALTREE_CACHE:-$HOME/.cache/rules_modsign/realtree}
subtrees=(drivers/net drivers/usb fs sound net)
dkms_pkgs=(v4l2loopback-dkms tp-smapi-dkms ddcci-dkms xtables-addons-dkms)
mkdir -p "$cache"
work=$(mktemp -d "${TMPDIR:-/tmp}/rms-realtree.XXXXXX")
cleanup() {
	if [[ $keep == 1 ]]; then
		echo "kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

for tool in apt-get apt-cache dpkg-deb tar xz go make /usr/bin/time sha256sum; do
	command -v "$tool" >/dev/null || {
		echo "realtree.sh: $tool is missing" >&2
		exit 1
	}
done

# download PKG: the newest PKG .deb in the cache (apt-get download as needed).
download() {
	local pkg=$1 ver
	ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')
	if [[ -z $ver || $ver == "(none)" ]]; then
		echo "realtree.sh: apt knows no package $pkg (apt-get update?)" >&2
		return 1
	fi
	local deb
	deb=$(ls "$cache/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -1 || true)
	if [[ -z $deb ]]; then
		(cd "$cache" && apt-get download -q "$pkg=$ver" >&2)
		deb=$(ls "$cache/${pkg}_${ver//:/%3a}_"*.deb | head -1)
	fi
	echo "$deb"
}

echo "== building gazelle_kbuild and kbuild_check"
(cd "$repo" && go build -o "$work/bin/" ./tools/gazelle/cmd/gazelle_kbuild ./tools/gazelle/cmd/kbuild_check)
gazelle=$work/bin/gazelle_kbuild
check=$work/bin/kbuild_check

# snapshot DIR: checksums of every BUILD file.
snapshot() {
	(cd "$1" && find . -name BUILD.bazel -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# run_twice WS LABEL: one timed run, then a second run that must change nothing.
run_twice() {
	local ws=$1 label=$2
	(cd "$ws" && /usr/bin/time -v "$gazelle" >"$work/$label.out" 2>"$work/$label.err") || {
		echo "gazelle failed on $label:" >&2
		tail -20 "$work/$label.err" >&2
		return 1
	}
	local wall rss warnings cpu
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/$label.err")
	cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.1f s", u + s}' "$work/$label.err")
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$label.err")
	warnings=$(grep -c '^gazelle: ' "$work/$label.err" || true)
	echo "first run: wall $wall (CPU $cpu, load average $(cut -d' ' -f1 /proc/loadavg)), peak RSS $((rss / 1024)) MiB, $warnings warnings, $(find "$ws" -name BUILD.bazel | wc -l) BUILD files"
	snapshot "$ws" >"$work/$label.sum1"
	(cd "$ws" && "$gazelle" >/dev/null 2>"$work/$label.err2") || {
		echo "second gazelle run failed on $label" >&2
		return 1
	}
	snapshot "$ws" >"$work/$label.sum2"
	if cmp -s "$work/$label.sum1" "$work/$label.sum2"; then
		echo "second run: no BUILD file changed"
	else
		echo "second run: CHANGED $(diff "$work/$label.sum1" "$work/$label.sum2" | grep -c '^[<>]') BUILD file entries"
	fi
}

status=0
if [[ $kernel == 1 ]]; then
	echo "== Debian linux-source-6.1"
	src_deb=$(download linux-source-6.1)
	version=$(dpkg-deb -f "$src_deb" Version)
	image=""
	for p in $(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' | awk '{print $1}'); do
		if [[ $'\n'$(apt-cache show "$p")$'\n' == *$'\n'"Version: $version"$'\n'* ]]; then
			image=$p
		fi
	done
	if [[ -z $image ]]; then
		echo "realtree.sh: no linux-image-6.1.0-*-amd64-unsigned with version $version" >&2
		exit 1
	fi
	image_deb=$(download "$image")
	echo "source: $(basename "$src_deb"); modules: $(basename "$image_deb")"
	ws=$work/linux
	mkdir -p "$ws"
	patterns=()
	for s in "${subtrees[@]}"; do patterns+=("linux-source-6.1/$s/*"); done
	start=$SECONDS
	dpkg-deb --fsys-tarfile "$src_deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJ -C "$ws" --strip-components=1 --wildcards "${patterns[@]}" 'linux-source-6.1/*Kconfig*'
	echo "extracted ${subtrees[*]} and every Kconfig file in $((SECONDS - start)) s: $(find "$ws" -type f | wc -l) files"
	cat >"$ws/MODULE.bazel" <<'EOF'
module(name = "realtree")
EOF
	cat >"$ws/BUILD.bazel" <<'EOF'
# gazelle:kernel_module_kernel //kernel
EOF
	dpkg-deb -c "$image_deb" | awk '{print $6}' | grep '\.ko$' |
		sed -E 's|^\./lib/modules/[^/]+/kernel/||' |
		grep -E "^($(
			IFS='|'
			echo "${subtrees[*]}"
		))/" >"$work/ko.txt" || true
	echo "modules Debian ships from these subtrees: $(wc -l <"$work/ko.txt")"
	run_twice "$ws" linux | tee "$work/linux.runs"
	"$check" -root "$ws" -ko "$work/ko.txt" | tee "$work/linux.check"
	# The targets of issue #13.
	fail() {
		echo "FAILED: $*"
		status=1
	}
	grep -q 'second run: no BUILD file changed' "$work/linux.runs" || fail "a second run changed BUILD files"
	awk '/^composite modules/ {split($0, a, "[(%]"); if (a[2] + 0 < 99.5) exit 1}' "$work/linux.check" || fail "composite srcs agree with make for less than 99.5%"
	grep -q 'over 512 KiB: 0$' "$work/linux.check" || fail "a BUILD file is over 512 KiB"
	grep -q 'for built-in (obj-y, bool) objects: 0;' "$work/linux.check" || fail "targets for built-in objects"
	grep -q 'missing: 0$' "$work/linux.check" || fail "shipped modules without a target"
fi

if [[ $dkms == 1 ]]; then
	for pkg in "${dkms_pkgs[@]}"; do
		echo "== $pkg"
		deb=$(download "$pkg")
		x=$work/x-$pkg
		mkdir -p "$x"
		dpkg-deb -x "$deb" "$x"
		conf=$(find "$x/usr/src" -maxdepth 2 -name dkms.conf | head -1)
		ws=$work/$pkg
		cp -r "$(dirname "$conf")" "$ws"
		echo 'module(name = "dkms")' >"$ws/MODULE.bazel"
		directives="# gazelle:kernel_module_kernel //kernel"
		vars=()
		case $pkg in
		# The variables dkms.conf's MAKE line passes to make.
		tp-smapi-dkms) vars=(HDAPS=1) ;;
		xtables-addons-dkms) vars=('XA_ABSTOPSRCDIR=$(src)/..' 'XA_TOPSRCDIR=$(src)/..') ;;
		esac
		if [[ ${#vars[@]} -gt 0 ]]; then
			directives+=$'\n'"# gazelle:kernel_module_var ${vars[*]}"
		fi
		printf '%s\n' "$directives" >"$ws/BUILD.bazel"
		run_twice "$ws" "$pkg" | tee "$work/$pkg.runs"
		grep -q 'second run: no BUILD file changed' "$work/$pkg.runs" || status=1
		varflags=()
		for v in "${vars[@]}"; do varflags+=(-var "$v"); done
		"$check" -root "$ws" -dkms_conf "$ws/dkms.conf" "${varflags[@]}" | grep -E 'dkms.conf|composite|single|differs|make failed|largest' |
			tee "$work/$pkg.check"
		grep -q 'missing' "$work/$pkg.check" && status=1
	done
fi
exit $status
