#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every CMA area has its statistics directory in /sys/kernel/mm/cma and its
# debugfs directory in /sys/kernel/debug/cma, with the files of the 6.12 ABI
# (Documentation/ABI/testing/sysfs-kernel-mm-cma, with total_pages and
# available_pages), and the area that a
# "cma=" boot parameter reserves is among them. Output is KTAP.

. "$(dirname "$0")/cma_lib.sh"

is_counter_file() {
	local f=$1 mode val
	mode=$(stat -c %a "$f") || return 1
	[ "$mode" = 444 ] || { ktap_print_msg "$f: mode $mode, want 444"; return 1; }
	val=$(cat "$f") || return 1
	[[ "$val" =~ ^[0-9]+$ ]] || { ktap_print_msg "$f: '$val' is not a count"; return 1; }
}

area_has_sysfs_files() {
	local f
	for f in alloc_pages_success alloc_pages_fail release_pages_success \
		total_pages available_pages; do
		is_counter_file "$SYSFS/$1/$f" || return 1
	done
	# total_pages is the debugfs page count; nothing can be more available.
	[ "$(cat "$SYSFS/$1/total_pages")" = "$(cat "$DEBUGFS/$1/count")" ] || {
		ktap_print_msg "$1: total_pages differs from debugfs count"
		return 1
	}
	[ "$(cat "$SYSFS/$1/available_pages")" -le "$(cat "$SYSFS/$1/total_pages")" ] || {
		ktap_print_msg "$1: more pages available than the area has"
		return 1
	}
}

area_has_debugfs_files() {
	local f
	for f in alloc free base_pfn count order_per_bit used maxchunk bitmap; do
		[ -e "$DEBUGFS/$1/$f" ] || { ktap_print_msg "$DEBUGFS/$1/$f missing"; return 1; }
	done
}

# The area names a "cma=" parameter gives: dma-contiguous calls its default
# area "reserved".
cmdline_areas() {
	grep -qE '(^| )cma=[0-9]' /proc/cmdline && echo reserved
}

same_area_lists() {
	[ "$(ls "$SYSFS")" = "$(ls "$DEBUGFS")" ]
}

cma_start

mapfile -t areas < <(ls "$DEBUGFS")
mapfile -t want_areas < <(cmdline_areas)
ktap_set_plan $((${#want_areas[@]} + 2 * ${#areas[@]} + 1))
for a in "${want_areas[@]}"; do
	ktap_test_result "boot parameter area $a is in $SYSFS" test -d "$SYSFS/$a"
done
for a in "${areas[@]}"; do
	ktap_test_result "$a: sysfs counters" area_has_sysfs_files "$a"
	ktap_test_result "$a: debugfs files" area_has_debugfs_files "$a"
done
ktap_test_result "sysfs and debugfs list the same areas" same_area_lists
ktap_finished
