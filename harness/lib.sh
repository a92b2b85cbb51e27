# Common settings for the harness scripts; sourced, never run.
# shellcheck shell=bash

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${HARNESS_CACHE:-$REPO/.cache}
PRISTINE=$CACHE/pristine/linux-source-6.12
TARBALL=/usr/src/linux-source-6.12.tar.xz
# Top-level folders of the repository that mirror kernel paths: every file
# under them is overlaid on the pristine tree as it is.
KERNEL_DIRS="arch Documentation drivers include kernel lib mm samples tools"

# Per user, outside the clone: a fresh clone on the same machine builds
# warm. BASEDIR makes the paths relative, so that clones share hits.
USER_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/mm-series
export CCACHE_DIR=${CCACHE_DIR:-$USER_CACHE/ccache}
export CCACHE_BASEDIR=$CACHE
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Fixed build identity: identical sources give identical binaries, which keeps
# ccache warm across trees and instruction counts repeatable.
export KBUILD_BUILD_USER=harness
export KBUILD_BUILD_HOST=harness
export KBUILD_BUILD_TIMESTAMP="2024-11-17 00:00:00 UTC"
# Otherwise every relink counts up the "#N" of the version string, which
# the kernel mixes into its random numbers: a kernel rebuilt from the same
# sources would give other DAMON figures.
export KBUILD_BUILD_VERSION=1

die() {
	echo "harness: $*" >&2
	exit 1
}

. "$REPO/harness/arch.sh"

# src_dir VARIANT: the kernel source a variant builds from.
src_dir() {
	case "$1" in
	stock | ours) echo "$CACHE/src/$1" ;;
	*) die "unknown kernel variant '$1' (stock or ours)" ;;
	esac
}

# build_dir VARIANT CONFIG [EXTRA_FRAGMENT]: one folder per combination.
build_dir() {
	local dir=$CACHE/build/$1-$2
	[ "$ARCH" = x86_64 ] || dir=$CACHE/build/$ARCH-$1-$2
	if [ -n "${3:-}" ]; then
		dir=$dir-x$(sha1sum <"$3" | cut -c1-10)
	fi
	echo "$dir"
}

kmake() {
	make -s ARCH="$KARCH" CROSS_COMPILE="$CROSS" CC="ccache ${CROSS}gcc" \
		HOSTCC="ccache gcc" "$@"
}

# harness_lock NAME: hold the lock NAME (tree-VARIANT: a source tree and its
# build folders; run-NAME: a run folder) until this script exits, so that a
# second harness command in the same clone (a `make vm` beside a `make
# build`) waits instead of writing the same files at once. Children
# inherit it.
harness_lock() {
	local held=HARNESS_LOCKED_${1//[^A-Za-z0-9]/_} fd

	[ -n "${!held:-}" ] && return 0
	mkdir -p "$CACHE"
	exec {fd}>"$CACHE/.lock-$1"
	if ! flock -n "$fd"; then
		echo "harness: waiting for another harness command ($1)" >&2
		flock "$fd"
	fi
	export "$held=1"
}
