#!/bin/bash
# series.sh: the project as two git format-patch series against the pristine
# tree: .cache/series/main (what goes upstream) and .cache/series/bench (the
# benchmarks of mm/bench, which do not), each with a cover letter. Then:
#
# - bisectability: every patch is applied in turn to one git work tree and
#   built incrementally in one folder (x86_64, the base configuration plus
#   ours.config); a patch that names KUnit suites ("kunit:") boots the
#   kernel with kunit.filter_glob set to them and they must pass;
# - git am of main then bench onto a fresh pristine tree gives exactly the
#   tree the harness builds, and the bench series touches nothing but the
#   benchmarks, so main alone gives that tree minus mm/bench and
#   patches/bench;
# - checkpatch --strict on every patch.
#
# A part is harness/series/NN-name.txt (main) or harness/series/bench/NN-
# name.txt: header lines, a blank line, the commit message. Headers:
#   files: PATH...   repository paths (files or folders) the patch brings
#   patch: PATH      a mail patch of patches/ applied with git am; "files:"
#                    then adds to that same commit
#   kunit: SUITE...  KUnit suites the patch adds (run by the bisect check)
#   boot: ARGS       extra kernel arguments for that boot
#   size: rewrite|test   allows more than 800 changed lines: the patch
#                    replaces a file with its rewrite, or only adds a test
# A file of a part comes from harness/series/steps/NN-name/PATH when that
# exists (an intermediate version: the code as it was at that patch), else
# from the repository itself. The last part to bring a file must take it from
# the repository, so that the steps cannot drift from the code; a step file
# equal to the repository's file is refused as well, and every overlay file
# and every patch of patches/ must belong to a part.
#
# Environment: SERIES_BUILD=0 skips the bisect check (builds and boots).
set -eu
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
"$REPO/harness/tree.sh" ours
version=$(cat "$PRISTINE/.harness-version")
base=$CACHE/series-base
work=$CACHE/series-work
out=$CACHE/series
parts_dir=$REPO/harness/series
steps_dir=$parts_dir/steps
# Fixed dates: the same repository gives the same series.
export GIT_AUTHOR_DATE="2026-11-30 12:00:00 +0000"
export GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE

git_q() {
	git -c user.name="mm-series harness" -c user.email="harness@localhost" \
		-c commit.gpgsign=false -c advice.detachedHead=false "$@"
}

header() { # header PART KEY: the value of a header line, empty if none
	sed -n "/^\$/q; s/^$2: //p" "$1"
}

# The files a part brings, one per line: folders are expanded from the
# repository and from the part's steps.
part_files() {
	local part=$1 name p
	name=$(basename "$part" .txt)
	for p in $(header "$part" files); do
		if [ -d "$REPO/$p" ] || [ -d "$steps_dir/$name/$p" ]; then
			for d in "$REPO" "$steps_dir/$name"; do
				[ -d "$d/$p" ] || continue
				(cd "$d" && find "$p" -type f ! -name '*.o' ! -name '.*')
			done
		else
			echo "$p"
		fi
	done | sort -u
}

main_parts=("$parts_dir"/[0-9]*.txt)
bench_parts=("$parts_dir"/bench/[0-9]*.txt)

# Consistency of parts, steps and the repository.
declare -A last_part
bad=0
for part in "${main_parts[@]}" "${bench_parts[@]}"; do
	name=$(basename "$part" .txt)
	p=$(header "$part" patch)
	if [ -n "$p" ] && [ ! -f "$REPO/$p" ]; then
		echo "series: $name: no $p" >&2
		bad=1
	fi
	for f in $(part_files "$part"); do
		step=$steps_dir/$name/$f
		if [ -f "$step" ] && [ -f "$REPO/$f" ] && cmp -s "$step" "$REPO/$f"; then
			echo "series: step file ${step#"$REPO"/} equals $f: remove it" >&2
			bad=1
		fi
		if [ ! -f "$step" ] && [ ! -f "$REPO/$f" ]; then
			echo "series: $name: $f is neither a step file nor in the repository" >&2
			bad=1
		fi
		last_part[$f]=$name
	done
	if [ -d "$steps_dir/$name" ]; then
		while read -r f; do
			part_files "$part" | grep -qxF "$f" || {
				echo "series: step file $name/$f belongs to no file of $name" >&2
				bad=1
			}
		done < <(cd "$steps_dir/$name" && find . -type f | sed 's|^\./||')
	fi
done
for f in "${!last_part[@]}"; do
	if [ -f "$steps_dir/${last_part[$f]}/$f" ]; then
		echo "series: the last version of $f (${last_part[$f]}) is a step file, not the repository's" >&2
		bad=1
	fi
done
for d in $KERNEL_DIRS; do
	[ -d "$REPO/$d" ] || continue
	while read -r f; do
		[ -n "${last_part[$f]:-}" ] || {
			echo "series: $f is in no part of harness/series" >&2
			bad=1
		}
	done < <(cd "$REPO" && find "$d" -type f ! -name '*.o' ! -name '.*')
done
for p in "$REPO"/patches/*.patch "$REPO"/patches/bench/*.patch; do
	[ -e "$p" ] || continue
	grep -qxF "patch: ${p#"$REPO"/}" "${main_parts[@]}" "${bench_parts[@]}" || {
		echo "series: ${p#"$REPO"/} is in no part of harness/series" >&2
		bad=1
	}
done
[ "$bad" = 0 ] || die "harness/series does not match the repository"

echo "series: parts checked ($(($(date +%s) - t0)) s)"

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

# Commit one part in the repository WORK without a checkout: blobs and the
# index only (a checkout of the whole tree costs minutes). A mail patch is
# applied to the index and keeps its author, date and message, as git am
# would.
commit_part() {
	local part=$1 name p f src files mode info msg
	name=$(basename "$part" .txt)
	files=$(part_files "$part")
	p=$(header "$part" patch)
	msg=$work.msg
	if [ -n "$p" ]; then
		git -C "$work" apply --cached "$REPO/$p" || die "$name: $p does not apply"
		info=$(git -C "$work" mailinfo "$msg.body" /dev/null <"$REPO/$p")
		export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE
		GIT_AUTHOR_NAME=$(sed -n 's/^Author: //p' <<<"$info")
		GIT_AUTHOR_EMAIL=$(sed -n 's/^Email: //p' <<<"$info")
		GIT_AUTHOR_DATE=$(sed -n 's/^Date: //p' <<<"$info")
		{ sed -n 's/^Subject: //p' <<<"$info"; echo; cat "$msg.body"; } >"$msg"
	else
		sed '1,/^$/d' "$part" >"$msg"
	fi
	for f in $files; do
		src=$REPO/$f
		[ -f "$steps_dir/$name/$f" ] && src=$steps_dir/$name/$f
		mode=100644
		[ -x "$src" ] && mode=100755
		git -C "$work" update-index --add --cacheinfo \
			"$mode,$(git -C "$work" hash-object -w "$src"),$f"
	done
	git -C "$work" update-ref HEAD "$(git_q -C "$work" commit-tree \
		"$(git -C "$work" write-tree)" -p HEAD -F "$msg")"
	export GIT_AUTHOR_NAME="mm-series harness" GIT_AUTHOR_EMAIL=harness@localhost
	export GIT_AUTHOR_DATE=$GIT_COMMITTER_DATE
	git -C "$work" rev-parse HEAD >>"$work.commits"
	echo "$name" >>"$work.names"
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
	python3 - "$letter" "$subject" "$body" <<'EOF'
import sys
path, subject, body = sys.argv[1:4]
text = open(path).read()
text = text.replace('*** SUBJECT HERE ***', subject)
text = text.replace('*** BLURB HERE ***', body)
open(path, 'w').write(text)
EOF
}

rm -rf "$work" "$out" "$work.commits" "$work.names"
git clone -q --shared --no-checkout "$base" "$work"
git -C "$work" read-tree HEAD
root=$(git -C "$work" rev-parse HEAD)
for part in "${main_parts[@]}"; do
	commit_part "$part"
done
main_tip=$(git -C "$work" rev-parse HEAD)
for part in "${bench_parts[@]}"; do
	commit_part "$part"
done
echo "series: $(wc -l <"$work.commits") commits made ($(($(date +%s) - t0)) s)"
mkdir -p "$out"
(cd "$work" && git_q format-patch -q --cover-letter -o "$out/main" "$root..$main_tip" &&
	git_q format-patch -q --cover-letter -o "$out/bench" "$main_tip..HEAD")
cover_letter "$parts_dir/cover-main.txt" "$out/main/0000-cover-letter.patch"
cover_letter "$parts_dir/bench/cover.txt" "$out/bench/0000-cover-letter.patch"

echo "series: patches written ($(($(date +%s) - t0)) s)"

# Apply both series with git am to a fresh pristine checkout, sparse: only
# the files the series touches are checked out, the others are the pristine
# tree's by construction. Then compare with the tree the harness builds,
# which differs from pristine only in the files of its manifest.
check=$CACHE/series-check
rm -rf "$check"
git clone -q --shared --no-checkout "$base" "$check"
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
: >"$CACHE/series.diff"
for f in $( (echo "$touched"; sed 's|^\./||' "$CACHE/src/ours.manifest") | sort -u); do
	if [ -e "$check/$f" ] || [ -e "$CACHE/src/ours/$f" ]; then
		cmp -s "$check/$f" "$CACHE/src/ours/$f" || echo "differs: $f" >>"$CACHE/series.diff"
	fi
done
echo "series: compared ($(($(date +%s) - t0)) s)"
if [ -s "$CACHE/series.diff" ]; then
	cat "$CACHE/series.diff" >&2
	die "the series does not reproduce the tree the harness builds"
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
# ("size: rewrite" or "size: test" in its part).
total=$(($(wc -l <"$work.commits")))
n=0
while read -r sha; do
	n=$((n + 1))
	name=$(sed -n "${n}p" "$work.names")
	part=$parts_dir/$name.txt
	[ -f "$part" ] || part=$parts_dir/bench/$name.txt
	lines=$(git -C "$work" show --numstat --format= "$sha" | awk '{s += $1 + $2} END {print s + 0}')
	kind=$(header "$part" size)
	if [ "$lines" -gt 800 ] && [ -z "$kind" ]; then
		die "patch $n/$total ($name) changes $lines lines: split it, or mark it size: rewrite|test"
	fi
	printf 'series: patch %2d/%d %5d lines%s  %s\n' "$n" "$total" "$lines" \
		"${kind:+ ($kind)}" "$(git -C "$work" log -1 --format=%s "$sha")"
done <"$work.commits"

if [ "${SERIES_BUILD:-1}" = 0 ]; then
	echo "series: SERIES_BUILD=0: bisect check skipped"
	exit 0
fi
"$REPO/harness/series-bisect.sh" "$work" "$work.commits" "$work.names"
echo "series: done in $(($(date +%s) - t0)) s: ${#main_patches[@]} patches and a cover letter in ${out#"$REPO"/}/main, ${#bench_patches[@]} and a cover letter in ${out#"$REPO"/}/bench"
