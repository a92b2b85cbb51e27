#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Allocating and freeing through /sys/kernel/debug/cma/<area>/{alloc,free}
# moves every view of the area together: debugfs used, maxchunk and bitmap,
# sysfs alloc_pages_success, release_pages_success, available_pages. An
# allocation the area cannot satisfy moves alloc_pages_fail by the pages
# asked for. Every bad write fails with an error and changes nothing, and an
# unprivileged user can write nothing. Runs on the last area whose pages are
# all free (the per-node areas of the harness). Output is KTAP.

. "$(dirname "$0")/cma_lib.sh"

# Set bits in the "bitmap" file (u32 words separated by blanks).
bitmap_weight() {
	local w n=0
	for w in $(cat "$DEBUGFS/$area/bitmap"); do
		while [ "$w" -ne 0 ]; do
			n=$((n + (w & 1)))
			w=$((w >> 1))
		done
	done
	echo "$n"
}

snapshot() {
	used=$(cat "$DEBUGFS/$area/used")
	maxchunk=$(cat "$DEBUGFS/$area/maxchunk")
	weight=$(bitmap_weight)
	ok=$(cat "$SYSFS/$area/alloc_pages_success")
	fail=$(cat "$SYSFS/$area/alloc_pages_fail")
	rel=$(cat "$SYSFS/$area/release_pages_success")
	avail=$(cat "$SYSFS/$area/available_pages")
}

expect() {
	[ "$2" = "$3" ] || { ktap_print_msg "$1: got $2, want $3"; return 1; }
}

# The views agree with each other, with USED pages held in the area.
views_agree() {
	snapshot
	expect used "$used" "$1" &&
		expect "bitmap weight" "$((weight << order))" "$used" &&
		expect available_pages "$avail" "$((count - used))" &&
		expect "held pages" "$((ok - rel - base_held))" "$used"
}

write_fails() {
	local file=$1 input=$2 before after

	before=$(cat "$DEBUGFS/$area/used")
	if printf '%s' "$input" >"$DEBUGFS/$area/$file" 2>/dev/null; then
		ktap_print_msg "$file: '$input' was accepted"
		return 1
	fi
	after=$(cat "$DEBUGFS/$area/used")
	expect "used after '$input'" "$after" "$before"
}

alloc_moves_views() {
	echo 10 >"$DEBUGFS/$area/alloc" || return 1
	views_agree 10 && expect maxchunk "$maxchunk" "$((count - 10))"
}

partial_free() {
	echo 4 >"$DEBUGFS/$area/free" && views_agree 6 &&
		echo 6 >"$DEBUGFS/$area/free" && views_agree 0 &&
		expect maxchunk "$maxchunk" "$count"
}

too_large_counts_fail() {
	local before

	echo 1 >"$DEBUGFS/$area/alloc" || return 1
	snapshot
	before=$fail
	write_fails alloc "$count" || return 1
	snapshot
	expect alloc_pages_fail "$fail" "$((before + count))" &&
		echo 1 >"$DEBUGFS/$area/free" && views_agree 0
}

# debugfs allocates without no_warn: the failure above says why, naming the
# area, the request and the largest free run (one page short of the area).
failure_is_explained() {
	local want="cma: $area: no $count pages .* largest free run $((count - 1))"

	dmesg | grep -q -- "$want" || {
		ktap_print_msg "no kernel message matching '$want'"
		return 1
	}
}

free_more_than_held() {
	echo 3 >"$DEBUGFS/$area/alloc" || return 1
	write_fails free 4 || return 1
	views_agree 3 && echo 3 >"$DEBUGFS/$area/free" && views_agree 0
}

bad_inputs_rejected() {
	local input
	for input in 0 -1 abc " " 1x 0x 18446744073709551616 \
		99999999999999999999 "$((count + 1))"; do
		write_fails alloc "$input" || return 1
		write_fails free "$input" || return 1
	done
	views_agree 0
}

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@" 2>/dev/null
}

unprivileged_cannot_write() {
	local f
	if as_nobody sh -c "echo 1 >'$DEBUGFS/$area/alloc'"; then
		ktap_print_msg "nobody wrote debugfs alloc"
		return 1
	fi
	for f in "$SYSFS/$area"/*; do
		if as_nobody sh -c "echo 1 >'$f'"; then
			ktap_print_msg "nobody wrote $f"
			return 1
		fi
	done
	views_agree 0
}

cma_start
area=$(cma_idle_area)
cma_skip_unless "no idle CMA area with available_pages" test -n "$area"
ktap_print_msg "area $area"
count=$(cat "$DEBUGFS/$area/count")
order=$(cat "$DEBUGFS/$area/order_per_bit")
base_held=$(($(cat "$SYSFS/$area/alloc_pages_success") -
	$(cat "$SYSFS/$area/release_pages_success")))

ktap_set_plan 8
ktap_test_result "idle area: views agree" views_agree 0
ktap_test_result "alloc 10 moves used, bitmap, maxchunk and sysfs" alloc_moves_views
ktap_test_result "free 4 then 6 splits the block and returns all" partial_free
ktap_test_result "an alloc that cannot fit moves alloc_pages_fail" too_large_counts_fail
ktap_test_result "the failure is explained in the kernel log" failure_is_explained
ktap_test_result "freeing more than debugfs holds fails" free_more_than_held
ktap_test_result "bad inputs fail and change nothing" bad_inputs_rejected
ktap_test_result "an unprivileged user writes nothing" unprivileged_cannot_write
ktap_finished
