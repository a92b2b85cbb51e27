#!/bin/bash
# series-bisect.sh WORK LIST: the bisect check of series.sh. Checks out each
# commit of LIST (one a line, in order: "sha|kunit suites|boot arguments",
# the options of its patch in harness/series/*/series) from the git
# repository WORK into one source tree and builds it
# incrementally in one folder: x86_64, tinyconfig + base.config +
# arch-x86_64.config + ours.config, with ccache. The configuration is made
# again after a patch that changes a Kconfig file. A patch that names
# KUnit suites ("kunit:") then boots, with kunit.filter_glob matching
# them, and each suite must pass. Any error, or a compiler warning in a
# file the patch touched, fails the check. One line per patch in the log.
set -eu
. "$(dirname "$0")/lib.sh"

work=$1 list=$2
# The layout of the harness's own trees (src/ours, build/ours-base) under a
# ccache base folder of its own: the compiler sees the same relative paths
# as in every clone's ours/base build, so that ccache finds what those
# builds compiled.
root=$CACHE/series-bisect
src=$root/src/ours
bld=$root/build/ours-base
export CCACHE_BASEDIR=$root
base=$CACHE/series-base

if [ ! -d "$src/.git" ]; then
	mkdir -p "$root/src"
	git clone -q --shared "$base" "$src"
fi
git -C "$src" fetch -q "$work" HEAD
mkdir -p "$bld"

configure() {
	kmake -C "$src" O="$bld" tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$bld" "$bld/.config" \
		"$REPO/harness/config/base.config" "$REPO/harness/config/arch-x86_64.config" \
		"$REPO/harness/config/ours.config" >/dev/null
	kmake -C "$src" O="$bld" olddefconfig >/dev/null
}

# kunit_boot N BOOT_ARGS SUITES...: boot the image with those suites only.
kunit_boot() {
	local n=$1 args=$2 run glob suite status=0 line
	shift 2
	# The suites' longest common prefix, then "*" when there are several.
	glob=$1
	for suite in "$@"; do
		while [ "${suite#"$glob"}" = "$suite" ]; do
			glob=${glob%?}
		done
	done
	[ $# -eq 1 ] || glob="$glob*"
	run=$CACHE/runs/series-$n
	rm -rf "$run"
	mkdir -p "$run"
	printf 'export HARNESS_BUILD=%s\ntrue\n' "$bld" >"$run/cmd.sh"
	KUNIT=1 QUIET=1 TIMEOUT=${SERIES_BOOT_TIMEOUT:-900} \
		KERNEL_ARGS="kunit.filter_glob=$glob $args" \
		"$REPO/harness/boot.sh" "$bld/arch/x86/boot/bzImage" "$run" >/dev/null 2>"$run/boot.err" ||
		status=$?
	[ "$status" = 0 ] || { cat "$run/boot.err" >&2; return 1; }
	for suite in "$@"; do
		line=$(tr -d '\r' <"$run/console.log" |
			grep -E "\] (not )?ok [0-9]+ $suite( |\$)" | tail -n 1)
		case "$line" in
		*"] ok "*) printf ' [kunit %s: ok]' "$suite" ;;
		*)
			echo >&2
			echo "kunit suite $suite: ${line:-no result} (console: $run/console.log)" >&2
			return 1
			;;
		esac
	done
}

t0=$(date +%s)
total=$(wc -l <"$list")
n=0
prev=
while IFS='|' read -r sha suites args; do
	n=$((n + 1))
	subject=$(git -C "$src" log -1 --format=%s "$sha")
	t=$(date +%s)
	git -C "$src" checkout -q -f "$sha"
	changed=$(git -C "$src" diff --name-only "$sha~1" "$sha")
	if [ ! -f "$bld/.config" ] || [ -z "$prev" ] || grep -q 'Kconfig' <<<"$changed"; then
		configure
	fi
	prev=$sha
	printf 'series: patch %d/%d %s:' "$n" "$total" "$subject"
	if ! grep -qvE '^(Documentation|tools)/' <<<"$changed" && [ -f "$bld/vmlinux" ]; then
		printf ' build ok (documentation and selftests only, nothing to compile)'
	else
		if ! kmake -C "$src" O="$bld" -j"$(nproc)" bzImage modules >"$bld/build.log" 2>&1; then
			echo " build FAILED" >&2
			tail -n 30 "$bld/build.log" >&2
			die "patch $n/$total does not build (log: $bld/build.log)"
		fi
		warned=0
		for f in $changed; do
			if grep -E "(^|/)$f:[0-9]+:[0-9]+: warning:" "$bld/build.log" >&2; then
				warned=1
			fi
		done
		[ "$warned" = 0 ] || die "patch $n/$total: compiler warnings in its files"
		printf ' build ok'
	fi
	if [ -n "$suites" ]; then
		# shellcheck disable=SC2086
		kunit_boot "$n" "$args" $suites || die "patch $n/$total: a KUnit suite failed"
	fi
	printf ' (%d s)\n' "$(($(date +%s) - t))"
done <"$list"
echo "series: bisect check: $total patches built, in $(($(date +%s) - t0)) s"
