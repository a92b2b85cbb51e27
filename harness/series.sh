#!/bin/bash
# series.sh: the project as a git format-patch series against the pristine
# tree, written to .cache/series/. Parts come from harness/series/*.txt in
# name order: a "files:" line naming repository paths, a blank line, then
# the commit message. patches/bench/*.patch and patches/*.patch (already in
# mail form) follow, in that order, with
# git am. The series is then applied with git am to a fresh copy of the
# pristine tree and compared with the tree the harness builds.
set -eu
. "$(dirname "$0")/lib.sh"

"$REPO/harness/tree.sh" ours
version=$(cat "$PRISTINE/.harness-version")
base=$CACHE/series-base
work=$CACHE/series-work
out=$CACHE/series

git_q() {
	git -c user.name="mm-series harness" -c user.email="harness@localhost" \
		-c commit.gpgsign=false "$@"
}

# A git repository of the pristine tree, made once.
if [ ! -f "$base/.git/harness-complete" ]; then
	echo "series: importing the pristine tree into git (once)"
	rm -rf "$base"
	cp -al "$PRISTINE" "$base"
	rm -f "$base"/.harness-*
	(cd "$base" && git init -q && git_q add -f -A . &&
		git_q commit -q -m "Linux $version (Debian linux-source-6.12)")
	touch "$base/.git/harness-complete"
fi

rm -rf "$work" "$out"
git clone -q --shared "$base" "$work"
for part in "$REPO"/harness/series/*.txt; do
	files=$(sed -n '1s/^files: //p' "$part")
	(cd "$REPO" && cp -r --parents $files "$work")
	(cd "$work" && git_q add -f -A -- $files &&
		sed '1,2d' "$part" | git_q commit -q -F -)
done
for p in "$REPO"/patches/bench/*.patch "$REPO"/patches/*.patch; do
	[ -e "$p" ] || continue
	(cd "$work" && git_q am -q "$p")
done
(cd "$work" && git format-patch -q -o "$out" "$(git rev-list --max-parents=0 HEAD)")

# Apply the series to a fresh pristine checkout; it must give our tree.
check=$CACHE/series-check
rm -rf "$check"
git clone -q --shared "$base" "$check"
(cd "$check" && git_q am -q "$out"/*.patch)
# (access_memory*: the DAMON selftest helpers selftest-bins.sh compiles in
# the build tree.)
if ! diff -r -q -x .git -x '.harness-*' -x 'access_memory' -x 'access_memory_even' \
	"$check" "$CACHE/src/ours" >"$CACHE/series.diff"; then
	cat "$CACHE/series.diff" >&2
	die "the series does not reproduce the tree the harness builds"
fi
rm -rf "$check"
# Adding files always asks whether MAINTAINERS needs an update; our
# MAINTAINERS entries come in a patch of their own.
"$PRISTINE/scripts/checkpatch.pl" --strict --quiet --no-tree \
	--ignore FILE_PATH_CHANGES "$out"/*.patch || die "checkpatch found problems in the series"
ls "$out"
echo "series: $(ls "$out" | wc -l) patches in ${out#"$REPO"/}, applied with git am to linux-source $version they give the built tree"
