#!/bin/bash
# series-edit.sh start|export|drop: edit the stored series (harness/series/,
# see series-lib.sh) as a git branch.
#
#   start   lays the series out in .cache/series-edit: branch "series", one
#           commit per patch on the pristine tree (tag series-root; tag
#           series-main is the last patch of the main series), a sparse
#           checkout of only the files the series and the overlay touch.
#           Each commit carries trailers (Series: main|bench, Series-patch:
#           for a patch of patches/, Series-kunit/-boot/-size: its options)
#           that export reads and strips. Where the overlay differs from the
#           series' tip (an edit of mm/cma.c in the repository), the
#           difference is left uncommitted in the work tree, for
#           git add -p && git commit --fixup=<commit>.
#   export  writes the branch back: the stored patches and series files
#           (renumbered in order), a patch of patches/ only if its diff or
#           message changed, and the overlay files of the tip; then runs the
#           quick check (SERIES_BUILD=0 series.sh).
#   drop    removes .cache/series-edit.
#
# A commit without a "Series:" trailer is a new patch of the section of the
# commit before it, stored under the name git format-patch gives it.
set -eu
. "$(dirname "$0")/lib.sh"
. "$REPO/harness/series-lib.sh"

edit=$CACHE/series-edit
stage=$CACHE/series-export

# eg ARGS: git in the edit repository, without the user's configuration.
eg() { git_q -C "$edit" "$@"; }

start() {
	local n tip paths f
	[ ! -e "$edit" ] || die "${edit#"$REPO"/} exists: export it (harness/series-edit.sh export) or drop it"
	"$REPO/harness/tree.sh" ours >/dev/null
	series_load
	series_base
	git clone -q --shared --no-checkout "$SERIES_BASE" "$edit"
	eg branch -q -m series
	eg tag series-root
	# The identity of every patch of the series, for new commits, fixups
	# and rebases there.
	eg config user.name "mm-series harness"
	eg config user.email harness@localhost
	eg config commit.gpgsign false
	eg read-tree HEAD
	for n in "${!S_PATCH[@]}"; do
		series_commit "$edit" "$n" "$(series_trailers "$n")"
		[ "${S_SECTION[n]}" != main ] || eg tag -f series-main >/dev/null
	done
	tip=$(eg rev-parse HEAD)
	# Sparse: the files of the series and of the overlay, no others (the
	# whole kernel would take minutes to check out).
	paths=$( (eg diff --name-only series-root HEAD; overlay_files) | sort -u)
	# shellcheck disable=SC2086 # one path a word: kernel paths have no spaces
	printf '/%s\n' $paths | eg sparse-checkout set --no-cone --stdin
	eg checkout -q -f series
	# The overlay as it is in the repository, where it differs from the tip.
	for f in $(overlay_files); do
		cmp -s "$REPO/$f" "$edit/$f" && continue
		mkdir -p "$(dirname "$edit/$f")"
		cp -p "$REPO/$f" "$edit/$f"
	done
	for f in $(stored_paths series-root "$tip"); do
		[ -e "$REPO/$f" ] || rm -f "$edit/$f"
	done
	echo "series-edit: ${#S_PATCH[@]} commits on branch series in ${edit#"$REPO"/} (root: tag series-root, main ends at tag series-main)"
	if [ -n "$(eg status --porcelain)" ]; then
		echo "series-edit: the overlay differs from the series' tip; uncommitted there:"
		eg status --short
	fi
}

# stored_paths FROM TO: the paths that the overlay owns among those the
# commits FROM..TO change, that is all but what a patch of patches/ (a
# "Series-patch:" commit) changes in the files it touches.
stored_paths() {
	local c src
	for c in $(eg rev-list --reverse "$1..$2"); do
		src=$(trailer "$c" Series-patch)
		if [ -n "$src" ] && [ -f "$REPO/$src" ]; then
			eg diff-tree --no-commit-id --name-only -r "$c" |
				grep -vxF -f <(patch_paths "$REPO/$src") || true
		else
			eg diff-tree --no-commit-id --name-only -r "$c"
		fi
	done | sort -u
}

# trailer COMMIT KEY: the value of a trailer of ours, empty if none.
trailer() {
	eg log -1 --format=%B "$1" | sed -n "s/^$2: //p" | tail -n 1
}

# strip_message COMMIT: the message without our trailers.
strip_message() {
	eg log -1 --format=%B "$1" | sed -E '/^Series(-patch|-kunit|-boot|-size)?: /d' |
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# tree_with BASE COMMIT PATHS...: BASE's tree with the versions COMMIT has
# of PATHS (absent there: removed), through a scratch index.
tree_with() {
	local base=$1 commit=$2 p entry
	shift 2
	export GIT_INDEX_FILE=$edit/.git/series-index
	eg read-tree "$base"
	for p in "$@"; do
		entry=$(eg ls-tree "$commit" -- "$p")
		if [ -n "$entry" ]; then
			eg update-index --add --cacheinfo "$(awk '{print $1 "," $3}' <<<"$entry"),$p"
		else
			eg update-index --force-remove -- "$p"
		fi
	done
	eg write-tree
	rm -f "$GIT_INDEX_FILE"
	unset GIT_INDEX_FILE
}

# applied_tree BASE PATCH: BASE's tree with PATCH applied.
applied_tree() {
	export GIT_INDEX_FILE=$edit/.git/series-index
	eg read-tree "$1"
	eg apply --cached "$2" || die "${2#"$REPO"/} does not apply where it stands"
	eg write-tree
	rm -f "$GIT_INDEX_FILE"
	unset GIT_INDEX_FILE
}

# mail_message PATCH: the commit message git am would make of PATCH.
mail_message() {
	local info
	info=$(git mailinfo "$stage/msg" /dev/null <"$1")
	sed -n 's/^Subject: //p' <<<"$info"
	echo
	cat "$stage/msg"
}

# commit_as COMMIT TREE PARENT DATE MSGFILE: a commit of TREE on PARENT with
# COMMIT's author, the author date DATE and the message in MSGFILE,
# committed at the fixed date.
commit_as() {
	GIT_AUTHOR_NAME=$(eg log -1 --format=%an "$1") GIT_AUTHOR_EMAIL=$(eg log -1 --format=%ae "$1") \
		GIT_AUTHOR_DATE=$4 GIT_COMMITTER_DATE=$SERIES_DATE \
		eg commit-tree "$2" -p "$3" -F "$5"
}

# export_patch N SECTION COMMIT CLEAN: write the patch of commit COMMIT,
# numbered N in SECTION, from its clean copy CLEAN (our trailers stripped)
# into the staging folder, and its line of the series file.
export_patch() {
	local n=$1 section=$2 commit=$3 clean=$4 src name paths applied own rest key value
	local list=$stage/$section/series
	# shellcheck disable=SC2086 # SERIES_FORMAT is a list of options
	name=$(eg format-patch $SERIES_FORMAT --start-number "$n" -1 "$clean" -o "$stage/$section")
	src=$(trailer "$commit" Series-patch)
	if [ -z "$src" ]; then
		basename "$name" >>"$list"
	else
		[ -f "$REPO/$src" ] || die "commit $(eg log -1 --format='%h %s' "$commit"): no $src"
		rm "$name"
		echo "$src" >>"$list"
		mapfile -t paths < <(patch_paths "$REPO/$src")
		applied=$(applied_tree "$clean~1" "$REPO/$src")
		own=$(tree_with "$clean~1" "$clean" "${paths[@]}")
		# The patch of patches/ is rewritten only if what it does, or its
		# message, changed: it keeps its own form otherwise.
		if [ "$applied" != "$own" ] || [ "$(mail_message "$REPO/$src")" != "$(eg log -1 --format=%B "$clean" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')" ]; then
			mkdir -p "$stage/$(dirname "$src")"
			rest=$(commit_as "$clean" "$own" "$clean~1" "$(eg log -1 --format=%aD "$clean")" "$stage/msg.clean")
			# shellcheck disable=SC2086 # as above
			eg format-patch $SERIES_FORMAT -1 "$rest" --stdout >"$stage/$src"
			echo "series-edit: $src changed"
		fi
		# What else the commit changes: the overlay files it comes with.
		rest=$(eg diff --abbrev=12 "$own" "$clean")
		if [ -n "$rest" ]; then
			printf '%s\n' "$rest" >"$stage/$section/$(basename "$name" .patch).diff"
			printf '\twith: %s\n' "$(basename "$name" .patch).diff" >>"$list"
		fi
	fi
	for key in kunit boot size; do
		value=$(trailer "$commit" "Series-$key")
		[ -z "$value" ] || printf '\t%s: %s\n' "$key" "$value" >>"$list"
	done
}

export_series() {
	local c clean section prev_section=main n_main=0 n_bench=0 n date last_main=
	[ -d "$edit/.git" ] || die "no ${edit#"$REPO"/}: run harness/series-edit.sh start"
	if [ -d "$edit/.git/rebase-merge" ] || [ -d "$edit/.git/rebase-apply" ]; then
		die "a rebase is in progress in ${edit#"$REPO"/}: finish it first"
	fi
	[ -z "$(eg status --porcelain)" ] ||
		die "uncommitted changes in ${edit#"$REPO"/}: commit them (git commit --fixup=...) or git stash them"
	[ -z "$(eg rev-list --merges series-root..HEAD)" ] || die "the branch has merges"
	if eg log --format=%s series-root..HEAD | grep -qE '^(fixup|squash|amend)! '; then
		die "fixup commits left: git rebase -i --autosquash series-root"
	fi
	series_load
	rm -rf "$stage"
	mkdir -p "$stage/main" "$stage/bench"
	for section in $SERIES_SECTIONS; do
		sed -n '/^#/p' "$SERIES_DIR/$section/series" >"$stage/$section/series"
	done
	clean=$(eg rev-parse series-root)
	for c in $(eg rev-list --reverse series-root..HEAD); do
		section=$(trailer "$c" Series)
		date=$(eg log -1 --format=%aD "$c")
		if [ -z "$section" ]; then
			# A new patch: of the section it stands in, at the fixed date.
			section=$prev_section date=$SERIES_DATE
		fi
		case "$prev_section:$section" in
		main:main | main:bench | bench:bench) ;;
		*) die "commit $(eg log -1 --format='%h %s' "$c"): a $section patch after a $prev_section one" ;;
		esac
		prev_section=$section
		[ "$section" != main ] || last_main=$c
		if [ "$section" = main ]; then n_main=$((n_main + 1)) n=$n_main; else n_bench=$((n_bench + 1)) n=$n_bench; fi
		strip_message "$c" >"$stage/msg.clean"
		clean=$(commit_as "$c" "$(eg rev-parse "$c^{tree}")" "$clean" "$date" "$stage/msg.clean")
		export_patch "$n" "$section" "$c" "$clean"
	done
	install_export
	# The tag where main ends, for orientation after a rebase.
	[ -z "$last_main" ] || eg tag -f series-main "$last_main" >/dev/null
	SERIES_BUILD=0 "$REPO/harness/series.sh"
}

# Move the staged series into the repository, then bring the overlay files
# to the tip's versions: those the stored patches change now, or changed
# before (a file no longer in the series leaves the overlay).
install_export() {
	local f section files old_files tip
	tip=$(eg rev-parse HEAD)
	old_files=$(cd "$REPO" && for n in "${!S_PATCH[@]}"; do
		case "${S_PATCH[n]}" in patches/*) ;; *) patch_paths "${S_PATCH[n]}" ;; esac
		[ -z "${S_WITH[n]}" ] || patch_paths "${S_WITH[n]}"
	done | sort -u)
	files=$(stored_paths series-root "$tip")
	for section in $SERIES_SECTIONS; do
		rm -f "$SERIES_DIR/$section"/*.patch "$SERIES_DIR/$section"/*.diff
		cp "$stage/$section"/* "$SERIES_DIR/$section/"
	done
	if [ -d "$stage/patches" ]; then
		cp -r "$stage/patches" "$REPO/"
	fi
	for f in $( (echo "$files"; echo "$old_files") | sort -u); do
		if grep -qxF "$f" <<<"$files" && eg cat-file -e "$tip:$f" 2>/dev/null; then
			mkdir -p "$(dirname "$REPO/$f")"
			if ! eg cat-file blob "$tip:$f" | cmp -s - "$REPO/$f"; then
				eg cat-file blob "$tip:$f" >"$REPO/$f"
				echo "series-edit: updated $f"
			fi
			if [ "$(eg ls-tree "$tip" -- "$f" | cut -c1-6)" = 100755 ]; then
				chmod +x "$REPO/$f"
			else
				chmod -x "$REPO/$f"
			fi
		elif [ -e "$REPO/$f" ]; then
			rm -f "$REPO/$f"
			echo "series-edit: removed $f"
		fi
	done
	rm -rf "$stage"
	echo "series-edit: exported to harness/series/; git -C $REPO status shows what changed"
}

case "${1:-}" in
start) start ;;
export) export_series ;;
drop) rm -rf "$edit" && echo "series-edit: ${edit#"$REPO"/} removed" ;;
*) die "usage: harness/series-edit.sh start|export|drop" ;;
esac
