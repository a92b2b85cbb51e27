#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every CMA area has its statistics directory in /sys/kernel/mm/cma and its
# debugfs directory in /sys/kernel/debug/cma, with the files of the 6.12 ABI
# (Documentation/ABI/testing/sysfs-kernel-mm-cma), and the area that a
# "cma=" boot parameter reserves is among them. Output is KTAP.

ksft_skip=4
SYSFS=/sys/kernel/mm/cma
DEBUGFS=/sys/kernel/debug/cma

nr=0
nfail=0

result() {
	nr=$((nr + 1))
	if [ "$1" = 0 ]; then
		echo "ok $nr $2"
	else
		echo "not ok $nr $2"
		nfail=$((nfail + 1))
	fi
}

check() {
	local desc=$1
	shift
	if "$@"; then
		result 0 "$desc"
	else
		result 1 "$desc"
	fi
}

is_counter_file() {
	local f=$1 mode val
	mode=$(stat -c %a "$f") || return 1
	[ "$mode" = 444 ] || { echo "# $f: mode $mode, want 444"; return 1; }
	val=$(cat "$f") || return 1
	[[ "$val" =~ ^[0-9]+$ ]] || { echo "# $f: '$val' is not a count"; return 1; }
}

area_has_sysfs_files() {
	local f
	for f in alloc_pages_success alloc_pages_fail release_pages_success; do
		is_counter_file "$SYSFS/$1/$f" || return 1
	done
}

area_has_debugfs_files() {
	local f
	for f in alloc free base_pfn count order_per_bit used maxchunk bitmap; do
		[ -e "$DEBUGFS/$1/$f" ] || { echo "# $DEBUGFS/$1/$f missing"; return 1; }
	done
}

# The area names a "cma=" parameter gives: dma-contiguous calls its default
# area "reserved".
cmdline_areas() {
	grep -qE '(^| )cma=[0-9]' /proc/cmdline && echo reserved
}

echo "TAP version 13"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP must run as root"
	exit $ksft_skip
fi
if [ ! -d "$SYSFS" ] || [ ! -d "$DEBUGFS" ]; then
	echo "1..0 # SKIP needs CONFIG_CMA_SYSFS and CONFIG_CMA_DEBUGFS"
	exit $ksft_skip
fi

mapfile -t sys_areas < <(ls "$SYSFS")
mapfile -t dbg_areas < <(ls "$DEBUGFS")
mapfile -t want_areas < <(cmdline_areas)
echo "1..$((${#want_areas[@]} + 2 * ${#dbg_areas[@]} + 1))"

for a in "${want_areas[@]}"; do
	check "boot parameter area $a is in $SYSFS" test -d "$SYSFS/$a"
done
for a in "${dbg_areas[@]}"; do
	check "$a: sysfs counters" area_has_sysfs_files "$a"
	check "$a: debugfs files" area_has_debugfs_files "$a"
done
check "sysfs and debugfs list the same areas" \
	test "${sys_areas[*]}" = "${dbg_areas[*]}"

echo "# $nr tests, $nfail failed"
[ "$nfail" = 0 ]
