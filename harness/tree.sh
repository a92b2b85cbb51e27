#!/bin/bash
# tree.sh [stock|ours]: unpack the pristine tree once; for "ours" bring the
# build source up to date with the overlay files and patches. Only files whose
# content changed are rewritten, so an edit costs a rebuild of what it touches.
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

# Make the staged tree: overlay files as they are, then the patches applied
# on top of pristine copies of the files they touch.
stage_overlay() {
	local stage=$1 dir p f
	rm -rf "$stage"
	mkdir -p "$stage"
	for dir in $KERNEL_DIRS; do
		[ -d "$REPO/$dir" ] || continue
		(cd "$REPO" && find "$dir" -type f ! -name '*.o' ! -name '.*' -print0) |
			(cd "$REPO" && xargs -0 -r cp --parents -t "$stage")
	done
	for p in "$REPO"/patches/*.patch; do
		[ -e "$p" ] || continue
		for f in $(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p"); do
			[ -e "$stage/$f" ] && continue
			[ -e "$PRISTINE/$f" ] || continue
			mkdir -p "$stage/$(dirname "$f")"
			cp "$PRISTINE/$f" "$stage/$f"
		done
		patch -s -p1 -d "$stage" --no-backup-if-mismatch <"$p" ||
			die "patch $(basename "$p") does not apply"
	done
}

sync_ours() {
	local src=$CACHE/src/ours stage=$CACHE/src/stage
	local manifest=$CACHE/src/ours.manifest f
	if [ ! -f "$src/.harness-complete" ]; then
		echo "tree: linking build source from pristine"
		rm -rf "$src" "$manifest"
		mkdir -p "$CACHE/src"
		cp -al "$PRISTINE" "$src"
		touch "$src/.harness-complete"
	fi
	stage_overlay "$stage"
	# Without --times rsync writes changed files with a new mtime (so make
	# sees them) and, with --checksum, leaves identical ones alone. It
	# replaces files by rename, so the hard links into pristine stay intact.
	rsync -r --checksum --itemize-changes "$stage/" "$src/" |
		sed -n 's/^>f[^ ]* /tree: updated /p'
	(cd "$stage" && find . -type f | sort) >"$manifest.new"
	if [ -f "$manifest" ]; then
		comm -23 "$manifest" "$manifest.new" | while read -r f; do
			rm -f "$src/$f"
			if [ -e "$PRISTINE/$f" ]; then
				cp "$PRISTINE/$f" "$src/$f"
				echo "tree: restored $f"
			fi
		done
	fi
	mv "$manifest.new" "$manifest"
	rm -rf "$stage"
}

unpack_pristine
case "${1:-ours}" in
stock) ;;
ours) sync_ours ;;
*) die "usage: tree.sh [stock|ours]" ;;
esac
