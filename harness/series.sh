#!/bin/bash
# series.sh: the project as two git format-patch series against the pristine
# tree: .cache/series/main (what goes upstream) and .cache/series/bench (the
# benchmarks of mm/bench, which do not), each with a cover letter, made from
# the stored series of harness/series/ (see series-lib.sh for its layout).
# Then:
#
# - every patches/*.patch is in the series, and every overlay file is
#   touched by a patch of it;
# - git am of main then bench onto a fresh pristine tree gives exactly the
#   tree the harness builds (the overlay is the final state, the stored
#   patches must lead to it), and the bench series touches nothing but the
#   benchmarks, so main alone gives that tree minus mm/bench and
#   patches/bench;
# - checkpatch --strict on every patch, and at most 800 changed lines a
#   patch unless its "size:" option says rewrite or test;
# - bisectability (series-bisect.sh): every patch is applied in turn to one
#   git work tree and built incrementally in one folder; a patch with a
#   "kunit:" option boots with those suites, which must pass.
#
# Environment: SERIES_BUILD=0 skips the bisect check (builds and boots).
set -eu
. "$(dirname "$0")/lib.sh"
. "$REPO/harness/series-lib.sh"

t0=$(date +%s)
"$REPO/harness/tree.sh" ours
version=$(cat "$PRISTINE/.harness-version")
work=$CACHE/series-work
out=$CACHE/series
# The cover letters' date as well.
export GIT_AUTHOR_DATE=$SERIES_DATE GIT_COMMITTER_DATE=$SERIES_DATE
fix='fold the change into the patch it belongs to: harness/series-edit.sh start (README.md, "The patch series")'

# Every stored file is named by a series file, once; every patch of
# patches/ is in the series; every overlay file is touched by a patch.
check_coverage() {
	local bad=0 f n
	declare -A named touched
	for n in "${!S_PATCH[@]}"; do
		for f in "${S_PATCH[n]}" ${S_WITH[n]:+"${S_WITH[n]}"}; do
			[ -z "${named[$f]:-}" ] || { echo "series: $f is named twice" >&2; bad=1; }
			named[$f]=1
			while read -r p; do touched[$p]=1; done < <(patch_paths "$REPO/$f")
		done
	done
	while read -r f; do
		[ -n "${named[$f]:-}" ] || { echo "series: $f is in no series file" >&2; bad=1; }
	done < <(cd "$REPO" && find harness/series/main harness/series/bench -type f \
		\( -name '*.patch' -o -name '*.diff' \) | sort)
	for f in "$REPO"/patches/*.patch "$REPO"/patches/bench/*.patch; do
		[ -e "$f" ] || continue
		f=${f#"$REPO"/}
		[ -n "${named[$f]:-}" ] || { echo "series: $f is in no patch of the series" >&2; bad=1; }
	done
	while read -r f; do
		[ -n "${touched[$f]:-}" ] || { echo "series: $f is in no patch of the series" >&2; bad=1; }
	done < <(overlay_files)
	[ "$bad" = 0 ] || die "harness/series does not match the repository; $fix"
}

# The cover letter: the template's first line is the subject, the rest the
# body; a line "ratio: CASE METRIC" becomes that row of docs/bench/results.md.
cover_letter() {
	local template=$1 letter=$2 subject body
	subject=$(head -n 1 "$template")
	body=$(tail -n +3 "$template" | while IFS= read -r line; do
		case "$line" in
		ratio:*)
			# shellcheck disable=SC2086
			set -- ${line#ratio: }
			awk -F' *[|] *' -v c="$1" -v m="$2" '
				$2 == c && $3 == m {
					printf "  %-48s %-14s %s -> %s (%sx, %s)\n", c, m, $4, $5, $6, $7
					found = 1; exit
				}
				END { exit !found }' "$REPO/docs/bench/results.md" ||
				die "cover letter: no row '$1 $2' in docs/bench/results.md"
			;;
		*) printf '%s\n' "$line" ;;
		esac
	done)
	python3 - "$letter" "$subject" "$body" <<'PY'
import sys
path, subject, body = sys.argv[1:4]
text = open(path).read()
text = text.replace('*** SUBJECT HERE ***', subject)
text = text.replace('*** BLURB HERE ***', body)
open(path, 'w').write(text)
PY
}

series_load
check_coverage
echo "series: ${#S_PATCH[@]} patches listed, every overlay file and patch of patches/ in one ($(($(date +%s) - t0)) s)"
series_base

# The commits, in a repository of the pristine tree without a checkout.
# $work.list: one line per commit for series-bisect.sh, "sha|kunit|boot".
rm -rf "$work" "$out" "$work.list"
git clone -q --shared --no-checkout "$SERIES_BASE" "$work"
git -C "$work" read-tree HEAD
root=$(git -C "$work" rev-parse HEAD)
main_tip=$root
for n in "${!S_PATCH[@]}"; do
	series_commit "$work" "$n"
	echo "$(git -C "$work" rev-parse HEAD)|${S_KUNIT[n]}|${S_BOOT[n]}" >>"$work.list"
	[ "${S_SECTION[n]}" != main ] || main_tip=$(git -C "$work" rev-parse HEAD)
done
echo "series: $(wc -l <"$work.list") commits made ($(($(date +%s) - t0)) s)"
mkdir -p "$out"
# 12-digit blob ids: the default length grows with the repository.
(cd "$work" && git_q format-patch -q --abbrev=12 --cover-letter -o "$out/main" "$root..$main_tip" &&
	git_q format-patch -q --abbrev=12 --cover-letter -o "$out/bench" "$main_tip..HEAD")
cover_letter "$SERIES_DIR/cover-main.txt" "$out/main/0000-cover-letter.patch"
cover_letter "$SERIES_DIR/bench/cover.txt" "$out/bench/0000-cover-letter.patch"
echo "series: patches written ($(($(date +%s) - t0)) s)"

# Apply both series with git am to a fresh pristine checkout, sparse: only
# the files the series touches are checked out, the others are the pristine
# tree's by construction. Then compare with the tree the harness builds,
# which differs from pristine only in the files of its manifest.
check=$CACHE/series-check
rm -rf "$check"
git clone -q --shared --no-checkout "$SERIES_BASE" "$check"
touched=$(git -C "$work" diff --name-only "$root" HEAD)
# shellcheck disable=SC2086
printf "/%s\n" $touched | git -C "$check" sparse-checkout set --no-cone --stdin
git -C "$check" checkout -q
echo "series: sparse checkout ($(($(date +%s) - t0)) s)"
main_patches=() bench_patches=()
for p in "$out"/main/*.patch; do
	[ "${p##*/}" = 0000-cover-letter.patch ] || main_patches+=("$p")
done
for p in "$out"/bench/*.patch; do
	[ "${p##*/}" = 0000-cover-letter.patch ] || bench_patches+=("$p")
done
(cd "$check" && git_q am -q "${main_patches[@]}") || die "git am of the main series failed"
bench_files=$(cd "$check" && git_q am -q "${bench_patches[@]}" &&
	git diff --name-only HEAD~${#bench_patches[@]} HEAD) ||
	die "git am of the bench series on the main series failed"
for f in $bench_files; do
	case "$f" in
	mm/bench/*) ;;
	*) grep -q "^+++ b/$f\$" "$REPO"/patches/bench/*.patch ||
		die "the bench series touches $f, not a benchmark file" ;;
	esac
done
# The difference, as a diff from the series' result to the overlay's tree.
: >"$CACHE/series.diff"
differs=()
for f in $( (echo "$touched"; sed 's|^\./||' "$CACHE/src/ours.manifest") | sort -u); do
	if [ -e "$check/$f" ] || [ -e "$CACHE/src/ours/$f" ]; then
		a=$check/$f b=$CACHE/src/ours/$f
		[ -e "$a" ] || a=/dev/null
		[ -e "$b" ] || b=/dev/null
		cmp -s "$a" "$b" && continue
		differs+=("$f")
		diff -u --label "series/$f" --label "overlay/$f" "$a" "$b" >>"$CACHE/series.diff" || true
	fi
done
echo "series: compared ($(($(date +%s) - t0)) s)"
if [ ${#differs[@]} -gt 0 ]; then
	printf 'series: the stored patches do not give the overlay in: %s\n' "${differs[*]}" >&2
	echo "series: (what the overlay has beyond the series: ${CACHE#"$REPO"/}/series.diff)" >&2
	die "the series does not reproduce the tree the harness builds; $fix"
fi
rm -rf "$check"
echo "series: git am of main + bench on linux-source $version gives the built tree; bench touches only mm/bench and the lines of patches/bench"

# No patch adds a MAINTAINERS entry, and the series does not claim one:
# checkpatch's question about new files is left out.
"$PRISTINE/scripts/checkpatch.pl" --strict --quiet --no-tree \
	--ignore FILE_PATH_CHANGES "${main_patches[@]}" "${bench_patches[@]}" ||
	die "checkpatch found problems in the series"
echo "series: checkpatch --strict: no problems"

# Per patch: lines changed, and the size rule: at most 800 lines unless
# the patch adds a test file only or replaces a file with its rewrite
# ("size: rewrite" or "size: test" in its series file).
total=${#S_PATCH[@]}
n=0
while IFS='|' read -r sha _; do
	kind=${S_SIZE[n]}
	n=$((n + 1))
	lines=$(git -C "$work" show --numstat --format= "$sha" | awk '{s += $1 + $2} END {print s + 0}')
	if [ "$lines" -gt 800 ] && [ -z "$kind" ]; then
		die "patch $n/$total (${S_PATCH[n - 1]}) changes $lines lines: split it, or give it size: rewrite|test"
	fi
	printf 'series: patch %2d/%d %5d lines%s  %s\n' "$n" "$total" "$lines" \
		"${kind:+ ($kind)}" "$(git -C "$work" log -1 --format=%s "$sha")"
done <"$work.list"

if [ "${SERIES_BUILD:-1}" = 0 ]; then
	echo "series: SERIES_BUILD=0: bisect check skipped"
	exit 0
fi
"$REPO/harness/series-bisect.sh" "$work" "$work.list"
echo "series: done in $(($(date +%s) - t0)) s: ${#main_patches[@]} patches and a cover letter in ${out#"$REPO"/}/main, ${#bench_patches[@]} and a cover letter in ${out#"$REPO"/}/bench"
