#!/bin/bash
# build.sh VARIANT CONFIG [EXTRA_FRAGMENT]: sync the tree, configure and build
# the kernel and its modules for $ARCH. Prints the path of the kernel image
# on success.
set -eu
. "$(dirname "$0")/lib.sh"

variant=$1 config=$2 extra=${3:-}
harness_lock "tree-$variant"
"$REPO/harness/tree.sh" "$variant" >&2
"$REPO/harness/configure.sh" "$variant" "$config" "$extra" >&2
src=$(src_dir "$variant")
out=$(build_dir "$variant" "$config" "$extra")

start=$(date +%s)
echo "build: $ARCH $variant/$config (linux-source-6.12 $(cat "$PRISTINE/.harness-version"))" >&2
if ! kmake -C "$src" O="$out" -j"$(nproc)" "$KTARGET" modules >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	die "build of $variant/$config failed (full log: $out/build.log)"
fi
grep -E 'warning:|error:' "$out/build.log" >&2 || true
echo "build: $ARCH $variant/$config done in $(($(date +%s) - start)) s" >&2
echo "$out/$KIMAGE"
