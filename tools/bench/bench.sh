#!/usr/bin/env bash
# Benchmark: sign every module of Debian's linux-image-6.1.*-amd64 package with
# RSA-4096 / SHA-512, two ways:
#   1. the kernel's scripts/sign-file, once per module, in parallel (xargs -P $(nproc));
#   2. one `modsign sign` batch (a worker per CPU in one process).
# Prints both wall times and the ratio (goal: modsign <= 0.8x sign-file), and
# checks that both produced byte-identical modules. It asserts no times.
#
# Environment:
#   MODSIGN_TEST_MODULES  unsigned modules (default ~/.cache/rules_modsign/debian-modules;
#                         fetched with signer/testdata/fetch-modules.sh when missing)
#   SIGN_FILE             sign-file to compare with (default /usr/lib/linux-kbuild-6.1/scripts/sign-file)
#   BENCH_KEY             RSA-4096 key+cert PEM (default: the repository's test-only key)
#   BENCH_DIR             scratch directory (default tools/bench/out, git-ignored)
#   BENCH_RUNS            repetitions (default 1)
#   BENCH_LIMIT           sign only the first N modules (a quick check; the benchmark proper uses all)
#   BENCH_PROFILE=1       also write a CPU profile of one modsign batch (needs `go tool pprof` to read)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/rules_modsign"
mods="${MODSIGN_TEST_MODULES:-$cache/debian-modules}"
sign_file="${SIGN_FILE:-/usr/lib/linux-kbuild-6.1/scripts/sign-file}"
key="${BENCH_KEY:-$repo/signer/testdata/keys/test-only-rsa4096.pem}"
work="${BENCH_DIR:-$repo/tools/bench/out}"
runs="${BENCH_RUNS:-1}"
ncpu="$(nproc)"

if [ ! -x "$sign_file" ]; then
	echo "bench: $sign_file not found; install linux-kbuild-6.1 (apt-get install linux-kbuild-6.1) or set SIGN_FILE" >&2
	exit 1
fi
if [ ! -f "$mods/.complete" ]; then
	MODSIGN_TEST_MODULES="$mods" "$repo/signer/testdata/fetch-modules.sh"
fi

mkdir -p "$work"
modsign="$work/modsign"
(cd "$repo" && go build -o "$modsign" ./signer/cmd/modsign)

now() { date +%s.%N; }

if [ -n "${BENCH_LIMIT:-}" ]; then
	rm -rf "$work/subset"
	mkdir -p "$work/subset"
	mapfile -t subset < <(find "$mods" -name '*.ko' | sort | head -n "$BENCH_LIMIT")
	for f in "${subset[@]}"; do
		rel="${f#"$mods/"}"
		cp "$f" "$work/subset/${rel//\//_}"
	done
	cp "$mods/.complete" "$work/subset/"
	mods="$work/subset"
fi
count="$(find "$mods" -name '*.ko' | wc -l)"
bytes="$(find "$mods" -name '*.ko' -printf '%s\n' | awk '{s+=$1} END {print s}')"
echo "bench: $count modules ($((bytes / 1024 / 1024)) MiB) from $(cat "$mods/.complete"), RSA-4096/SHA-512, $ncpu CPUs"
echo "bench: sign-file = $sign_file ($(dpkg-query -W -f '${Package} ${Version}' linux-kbuild-6.1 2>/dev/null || echo unknown version))"

for run in $(seq 1 "$runs"); do
	rm -rf "$work/sign-file" "$work/modsign-out"
	cp -a "$mods" "$work/sign-file"
	cp -a "$mods" "$work/modsign-out"
	sync

	load0="$(cut -d' ' -f1 /proc/loadavg)"
	t0="$(now)"
	find "$work/sign-file" -name '*.ko' -print0 |
		/usr/bin/time -f '%U %S' -o "$work/sf.cpu" xargs -0 -P "$ncpu" -n 1 "$sign_file" sha512 "$key" "$key"
	t1="$(now)"

	mapfile -d '' list < <(find "$work/modsign-out" -name '*.ko' -print0)
	t2="$(now)"
	/usr/bin/time -f '%U %S' -o "$work/ms.cpu" "$modsign" sign -q --key "$key" --cert "$key" --hash sha512 "${list[@]}"
	t3="$(now)"
	load1="$(cut -d' ' -f1 /proc/loadavg)"

	sf="$(echo "$t1 - $t0" | bc -l)"
	ms="$(echo "$t3 - $t2" | bc -l)"
	ratio="$(echo "$ms / $sf" | bc -l)"
	# CPU time (user+sys, children included) does not depend on what else
	# the machine is doing; with all CPUs free, wall time ~ CPU time / nproc for both.
	sfcpu="$(awk '{print $1 + $2}' "$work/sf.cpu")"
	mscpu="$(awk '{print $1 + $2}' "$work/ms.cpu")"
	cpuratio="$(echo "$mscpu / $sfcpu" | bc -l)"
	differ=0
	while IFS= read -r -d '' f; do
		rel="${f#"$work/sign-file/"}"
		cmp -s "$f" "$work/modsign-out/$rel" || differ=$((differ + 1))
	done < <(find "$work/sign-file" -name '*.ko' -print0)
	printf 'run %d: wall: sign-file (xargs -P %d) %.2f s, modsign sign (one batch) %.2f s, ratio %.3f (goal <= 0.8)\n' \
		"$run" "$ncpu" "$sf" "$ms" "$ratio"
	printf 'run %d: cpu:  sign-file %.2f s, modsign %.2f s, ratio %.3f   load average %s -> %s   modules differing: %d of %d\n' \
		"$run" "$sfcpu" "$mscpu" "$cpuratio" "$load0" "$load1" "$differ" "$count"
done

if [ "${BENCH_PROFILE:-0}" = 1 ]; then
	rm -rf "$work/modsign-out"
	cp -a "$mods" "$work/modsign-out"
	mapfile -d '' list < <(find "$work/modsign-out" -name '*.ko' -print0)
	MODSIGN_CPUPROFILE="$work/modsign.pprof" "$modsign" sign -q --key "$key" --cert "$key" --hash sha512 "${list[@]}"
	echo "bench: CPU profile in $work/modsign.pprof; top functions:"
	(cd "$repo" && go tool pprof -top -nodecount=15 "$modsign" "$work/modsign.pprof" 2>/dev/null | sed -n '1,22p')
fi
rm -rf "$work/sign-file" "$work/modsign-out" "$work/subset"
