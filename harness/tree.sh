#!/bin/bash
# tree.sh [stock|ours]: unpack the pristine tree once, then bring the build
# source of the variant (.cache/src/VARIANT, hard links into pristine) up
# to date with its overlay files and patches (see stage_overlay). Only files
# whose content changed are rewritten, so an edit costs a rebuild of what it
# touches.
set -eu
. "$(dirname "$0")/lib.sh"

unpack_pristine() {
	[ -f "$PRISTINE/.harness-complete" ] && return 0
	[ -f "$TARBALL" ] || die "$TARBALL missing: run harness/install.sh"
	echo "tree: unpacking $(basename "$TARBALL")"
	rm -rf "$CACHE/pristine"
	mkdir -p "$CACHE/pristine"
	tar -C "$CACHE/pristine" -xf "$TARBALL"
	dpkg-query -W -f='${Version}\n' linux-source-6.12 >"$PRISTINE/.harness-version"
	touch "$PRISTINE/.harness-complete"
}

# Make the staged tree of a variant: its overlay files as they are, then
# its patches applied on top of pristine copies of the files they touch.
# "ours" gets everything; "stock" only what the benchmarks need to build
# into an otherwise unmodified kernel: mm/bench and patches/bench.
stage_overlay() {
	local variant=$1 stage=$2 dirs=$KERNEL_DIRS p f
	local patches=("$REPO"/patches/bench/*.patch "$REPO"/patches/*.patch)
	[ "$variant" = ours ] || { dirs=mm/bench; patches=("$REPO"/patches/bench/*.patch); }
	rm -rf "$stage"
	mkdir -p "$stage"
	for dir in $dirs; do
		[ -d "$REPO/$dir" ] || continue
		(cd "$REPO" && find "$dir" -type f ! -name '*.o' \
			\( ! -name '.*' -o -name .kunitconfig \) -print0) |
			(cd "$REPO" && xargs -0 -r cp --parents -t "$stage")
	done
	for p in "${patches[@]}"; do
		[ -e "$p" ] || continue
		for f in $(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p"); do
			[ -e "$stage/$f" ] && continue
			[ -e "$PRISTINE/$f" ] || continue
			mkdir -p "$stage/$(dirname "$f")"
			cp "$PRISTINE/$f" "$stage/$f"
		done
		patch -s -p1 -d "$stage" --no-backup-if-mismatch <"$p" ||
			die "patch ${p#"$REPO"/} does not apply"
	done
}

sync_tree() {
	local variant=$1
	local src=$CACHE/src/$variant stage=$CACHE/src/stage-$variant
	local manifest=$CACHE/src/$variant.manifest f
	if [ ! -f "$src/.harness-complete" ]; then
		echo "tree: linking the $variant build source from pristine"
		rm -rf "$src" "$manifest"
		mkdir -p "$CACHE/src"
		cp -al "$PRISTINE" "$src"
		touch "$src/.harness-complete"
	fi
	stage_overlay "$variant" "$stage"
	# Without --times rsync writes changed files with a new mtime (so make
	# sees them) and, with --checksum, leaves identical ones alone. It
	# replaces files by rename, so the hard links into pristine stay intact.
	rsync -r --checksum --itemize-changes "$stage/" "$src/" |
		sed -n "s/^>f[^ ]* /tree: $variant: updated /p"
	(cd "$stage" && find . -type f | sort) >"$manifest.new"
	if [ -f "$manifest" ]; then
		comm -23 "$manifest" "$manifest.new" | while read -r f; do
			rm -f "$src/$f"
			if [ -e "$PRISTINE/$f" ]; then
				cp "$PRISTINE/$f" "$src/$f"
				echo "tree: $variant: restored $f"
			fi
		done
	fi
	mv "$manifest.new" "$manifest"
	rm -rf "$stage"
}

harness_lock pristine
unpack_pristine
case "${1:-ours}" in
stock | ours) harness_lock "tree-$1" && sync_tree "$1" ;;
*) die "usage: tree.sh [stock|ours]" ;;
esac
