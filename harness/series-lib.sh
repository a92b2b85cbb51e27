# The stored patch series, shared by series.sh and series-edit.sh; sourced
# after lib.sh, never run.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the scripts that source us
#
# The series is kept as patches, each line of it once:
#   harness/series/main/series    the main series in order, one patch a line
#   harness/series/bench/series   the bench series, applied after main
#   harness/series/SECTION/NNNN-subject.patch   a patch stored here (git
#                     format-patch output: message and diff)
#   harness/series/SECTION/NNNN-subject.diff    a plain diff folded into the
#                     commit of a patches/ entry ("with:", below)
# A line of a series file names a patch: a bare file name is beside the
# series file; a path with a "/" (patches/NNNN-...patch) is a mail patch of
# the repository's patches/, which is part of the overlay and is therefore
# referenced, never copied. The lines after it that start with white space
# are its options, for the checks only (they are not in the patch text):
#   kunit: SUITE...  KUnit suites the patch adds (run by the bisect check)
#   boot: ARGS       extra kernel arguments for that boot
#   size: rewrite|test   allows more than 800 changed lines: the patch
#                    replaces a file with its rewrite, or only adds a test
#   with: NAME.diff  a diff beside the series file applied into the same
#                    commit (the overlay files a patches/ patch comes with)
# Lines starting with "#" are comments.

SERIES_DIR=$REPO/harness/series
SERIES_SECTIONS="main bench"
SERIES_BASE=$CACHE/series-base
# Fixed dates: the same repository gives the same series.
SERIES_DATE="2026-11-30 12:00:00 +0000"
# How a stored patch is written: no commit id and no git version (they
# would change with every rebase and every git upgrade), no "n/m" (an
# insertion would renumber every subject), and 12-digit blob ids as in the
# kernel's own format-patch configuration, whatever the repository's size.
SERIES_FORMAT="--zero-commit --no-signature --no-numbered --abbrev=12"

# git without the user's or the system's configuration (format.*, diff.*
# settings would change the patches), as the harness's identity.
git_q() {
	GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
		git -c user.name="mm-series harness" -c user.email="harness@localhost" \
		-c commit.gpgsign=false -c advice.detachedHead=false "$@"
}

# series_load: read both series files into arrays indexed by patch number
# (0-based): S_SECTION, S_PATCH (repository path), S_WITH (repository path
# or empty), S_KUNIT, S_BOOT, S_SIZE. Dies on an unknown option or a
# missing file.
series_load() {
	local section list line n key value dir
	S_SECTION=() S_PATCH=() S_WITH=() S_KUNIT=() S_BOOT=() S_SIZE=()
	n=-1
	for section in $SERIES_SECTIONS; do
		list=$SERIES_DIR/$section/series
		dir=harness/series/$section
		[ -f "$list" ] || die "no $dir/series"
		while IFS= read -r line || [ -n "$line" ]; do
			case "$line" in
			'' | '#'*) ;;
			[[:space:]]*)
				[ "$n" -ge 0 ] || die "$dir/series: an option before the first patch: $line"
				line=${line#"${line%%[![:space:]]*}"}
				key=${line%%:*} value=${line#*: }
				[ "$value" != "$line" ] || die "$dir/series: not 'key: value': $line"
				case "$key" in
				kunit) S_KUNIT[n]=$value ;;
				boot) S_BOOT[n]=$value ;;
				size)
					case "$value" in rewrite | test) ;; *) die "$dir/series: size: rewrite or test, not $value" ;; esac
					S_SIZE[n]=$value
					;;
				with) S_WITH[n]=$dir/$value ;;
				*) die "$dir/series: unknown option '$key'" ;;
				esac
				;;
			*)
				n=$((n + 1))
				S_SECTION[n]=$section S_WITH[n]='' S_KUNIT[n]='' S_BOOT[n]='' S_SIZE[n]=''
				case "$line" in
				*/*) S_PATCH[n]=$line ;;
				*) S_PATCH[n]=$dir/$line ;;
				esac
				;;
			esac
		done <"$list"
	done
	for n in "${!S_PATCH[@]}"; do
		for value in "${S_PATCH[n]}" ${S_WITH[n]:+"${S_WITH[n]}"}; do
			[ -f "$REPO/$value" ] || die "the series names $value, which does not exist"
		done
	done
}

# patch_paths FILE: the repository paths a patch or diff touches, both
# sides of a rename.
patch_paths() {
	sed -n 's|^diff --git a/\([^ ]*\) b/\([^ ]*\)$|\1\n\2|p' "$1" | sort -u
}

# series_base: a git repository of the pristine tree, made once.
series_base() {
	local version
	[ -f "$SERIES_BASE/.git/harness-complete" ] && return 0
	version=$(cat "$PRISTINE/.harness-version")
	echo "series: importing the pristine tree into git (once)"
	rm -rf "$SERIES_BASE"
	cp -al "$PRISTINE" "$SERIES_BASE"
	rm -f "$SERIES_BASE"/.harness-*
	(cd "$SERIES_BASE" && git init -q && git_q add -f -A . &&
		GIT_AUTHOR_DATE=$SERIES_DATE GIT_COMMITTER_DATE=$SERIES_DATE \
			git_q commit -q -m "Linux $version (Debian linux-source-6.12)")
	touch "$SERIES_BASE/.git/harness-complete"
}

# series_trailers N: the trailers series-edit.sh gives the commit of patch
# N, so that export knows where it goes and with which options.
series_trailers() {
	local n=$1
	echo "Series: ${S_SECTION[n]}"
	case "${S_PATCH[n]}" in patches/*) echo "Series-patch: ${S_PATCH[n]}" ;; esac
	[ -z "${S_KUNIT[n]}" ] || echo "Series-kunit: ${S_KUNIT[n]}"
	[ -z "${S_BOOT[n]}" ] || echo "Series-boot: ${S_BOOT[n]}"
	[ -z "${S_SIZE[n]}" ] || echo "Series-size: ${S_SIZE[n]}"
}

# series_commit WORK N [TRAILERS]: commit patch N on HEAD of the repository
# WORK without a checkout, as git am would (the patch's author, date and
# message): the patch and its "with:" diff are applied to the index only
# (a checkout of the whole tree costs minutes), the committer date is
# fixed. TRAILERS (lines) are appended to the message.
series_commit() {
	local work=$1 n=$2 trailers=${3:-} info sha msg=$1/.git/series-msg
	local patch=$REPO/${S_PATCH[n]}
	git -C "$work" apply --cached "$patch" || die "${S_PATCH[n]} does not apply"
	if [ -n "${S_WITH[n]}" ]; then
		git -C "$work" apply --cached "$REPO/${S_WITH[n]}" ||
			die "${S_WITH[n]} does not apply"
	fi
	info=$(git -C "$work" mailinfo "$msg.body" /dev/null <"$patch")
	{
		sed -n 's/^Subject: //p' <<<"$info"
		echo
		cat "$msg.body"
		[ -z "$trailers" ] || printf '%s\n' "$trailers"
	} >"$msg"
	sha=$(GIT_AUTHOR_NAME=$(sed -n 's/^Author: //p' <<<"$info") \
		GIT_AUTHOR_EMAIL=$(sed -n 's/^Email: //p' <<<"$info") \
		GIT_AUTHOR_DATE=$(sed -n 's/^Date: //p' <<<"$info") \
		GIT_COMMITTER_DATE=$SERIES_DATE \
		git_q -C "$work" commit-tree "$(git -C "$work" write-tree)" -p HEAD -F "$msg")
	git -C "$work" update-ref HEAD "$sha"
	rm -f "$msg" "$msg.body"
}

# overlay_files: the repository's overlay files, as tree.sh copies them.
overlay_files() {
	local d
	for d in $KERNEL_DIRS; do
		[ -d "$REPO/$d" ] || continue
		(cd "$REPO" && find "$d" -type f ! -name '*.o' \( ! -name '.*' -o -name .kunitconfig \))
	done | sort
}
