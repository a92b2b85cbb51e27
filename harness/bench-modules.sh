#!/bin/bash
# bench-modules.sh VARIANT CONFIG: build the benchmark modules of mm/bench
# as external modules against that kernel build (C=1 W=1, warnings fail).
# Prints the folder that holds the .ko files.
set -eu
. "$(dirname "$0")/lib.sh"

variant=$1 config=$2
src=$(src_dir "$variant")
out=$(build_dir "$variant" "$config")
mods=$CACHE/bench-mods/$variant-$config
[ -f "$out/Module.symvers" ] || die "build $variant/$config first"
mkdir -p "$mods"
# Copy only what changed, so that make rebuilds only what changed.
rsync -r --checksum "$REPO/mm/bench/" "$mods/"
if ! kmake -C "$src" O="$out" M="$mods" C=1 W=1 modules >"$mods/build.log" 2>&1 ||
	grep -E 'warning|error' "$mods/build.log" >&2; then
	cat "$mods/build.log" >&2
	die "benchmark modules for $variant/$config did not build cleanly"
fi
echo "$mods"
