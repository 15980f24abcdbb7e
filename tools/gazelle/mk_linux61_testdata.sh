#!/usr/bin/env bash
# Writes tools/gazelle/testdata/linux61 from a Linux 6.1 source tree
# (Debian's linux-source-6.1): the real Makefiles of a few directories, the
# real Kconfig files that define every CONFIG_ symbol they use, and an empty
# placeholder for every source file they name (only the names matter to the
# generation and make oracle tests). fs/romfs keeps its real sources so that
# the #include scan is tested on real code. BUILD.out and expectedStderr.txt
# are then written by the test itself:
#   UPDATE_SNAPSHOTS=true go test ./tools/gazelle/kbuild -run TestGeneration/linux61
# and reviewed by hand.
#
# Usage: tools/gazelle/mk_linux61_testdata.sh /path/to/linux-source-6.1
set -euo pipefail
src=${1:?usage: $0 LINUX_SOURCE_DIR}
out=$(cd "$(dirname "$0")" && pwd)/testdata/linux61
dirs=(
	fs
	fs/xfs
	fs/romfs
	fs/isofs
	fs/lockd
	fs/reiserfs
	net/netfilter/ipvs
	net/mac80211
	drivers/net
	drivers/net/bonding
	drivers/net/ipvlan
	drivers/net/ethernet/netronome/nfp
	drivers/usb/host
)
rm -rf "$out"
mkdir -p "$out"
for d in "${dirs[@]}"; do
	mkdir -p "$out/$d"
	for f in Makefile Kbuild; do
		[[ -f $src/$d/$f ]] && cp "$src/$d/$f" "$out/$d/$f"
	done
	# Every object of every list, with all symbols y and with all m (make
	# evaluates the lists): a placeholder for its source.
	kb=Makefile
	[[ -f $out/$d/Kbuild ]] && kb=Kbuild
	syms=$(grep -oE 'CONFIG_[A-Za-z0-9_]+' "$out/$d/$kb" | sort -u || true)
	for v in y m; do
		args=()
		for s in $syms; do args+=("$s=$v"); done
		printf 'src := .\nobj := .\ninclude %s\n$(foreach v,$(.VARIABLES),$(if $(filter %%-y %%-m %%-objs,$(v)),$(info $($(v)))))\nx: ; @:\n' "$kb" |
			make -s -r -C "$out/$d" -f - "${args[@]}" x 2>/dev/null || true
	done | tr ' ' '\n' | { grep -E '\.o$' || true; } | sort -u | while read -r o; do
		b=${o%.o}
		for ext in c S; do
			if [[ -f $src/$d/$b.$ext ]]; then
				mkdir -p "$(dirname "$out/$d/$b.$ext")"
				[[ -f $out/$d/$b.$ext ]] || echo "/* Placeholder for $d/$b.$ext of Linux 6.1: only its name matters here. */" >"$out/$d/$b.$ext"
				break
			fi
		done
	done
done
# Real sources for fs/romfs.
cp "$src"/fs/romfs/*.[ch] "$out/fs/romfs/"
# The Kconfig files that define the symbols used (x86 for arch/).
for sym in $(find "$out" -name Makefile -o -name Kbuild | xargs cat | grep -oE 'CONFIG_[A-Za-z0-9_]+' | sed 's/^CONFIG_//' | sort -u); do
	grep -rlE "^[[:space:]]*(menu)?config[[:space:]]+$sym[[:space:]]*$" --include='Kconfig*' "$src" |
		grep -vE "^$src/(arch|scripts|Documentation)/" || true
	grep -rlE "^[[:space:]]*(menu)?config[[:space:]]+$sym[[:space:]]*$" --include='Kconfig*' "$src/arch/x86" || true
done | sort -u | while read -r k; do
	rel=${k#"$src"/}
	mkdir -p "$out/$(dirname "$rel")"
	cp "$k" "$out/$rel"
done
cat >"$out/MODULE.bazel" <<'EOF'
module(name = "linux61")
EOF
cat >"$out/BUILD.in" <<'EOF'
# gazelle:kernel_module_kernel //kernel
EOF
echo "wrote $out: $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1)"
