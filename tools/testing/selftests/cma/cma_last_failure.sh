#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A failed allocation says what stood in its way. The built-in benchmark
# (CONFIG_CMA_BENCH) puts a page that cannot move in the middle of an idle
# area behind CMA's back and asks for a window that only fits over it:
# debugfs <area>/last_failure (mode 0400) then gives the request, the
# error, the area's free pages and largest free run and the busy page's
# pfn, and the kernel log names the page (refcount, mapcount, flags,
# migratetype, LRU). A request that finds no room at all (through the
# debugfs alloc file) records no blocking page. Output is KTAP.

. "$(dirname "$0")/cma_lib.sh"
RUN=/sys/kernel/debug/cma_bench/run

# field NAME: the value of NAME in last_failure.
field() {
	sed -n "s/^$1 //p" "$DEBUGFS/$area/last_failure"
}

# expect NAME VALUE: last_failure says VALUE for NAME.
expect() {
	local got

	got=$(field "$1")
	[ "$got" = "$2" ] && return 0
	ktap_print_msg "$1: '$got', expected '$2'"
	return 1
}

mode_0400() {
	local mode

	mode=$(stat -c %a "$DEBUGFS/$area/last_failure")
	[ "$mode" = 400 ] || { ktap_print_msg "mode $mode"; return 1; }
}

# fail_over_busy_page: the request fails, and last_failure is newer.
fail_over_busy_page() {
	local before after

	before=$(field time_ns)
	dmesg -C
	echo "busy $area $half $((half + 1)) warn" >"$RUN" ||
		{ ktap_print_msg "busy command refused"; return 1; }
	dmesg | grep -q "case=busy offset=$half pages=$((half + 1)) result=fail" ||
		{ ktap_print_msg "the request did not fail"; return 1; }
	after=$(field time_ns)
	[ "${after:-0}" -gt "${before:-0}" ] && return 0
	ktap_print_msg "time_ns '$before' -> '$after'"
	return 1
}

busy_recorded() {
	expect pages $((half + 1)) && expect align 0 && expect error -16 &&
		expect free_pages "$count" && expect largest_free_run "$count" ||
		return 1
	# Another page of the window may be named too (a page on a per-CPU
	# list blames itself after a real attempt); the busy one must be.
	field blocking_pfns | tr ' ' '\n' | grep -qx "$busy_pfn" && return 0
	ktap_print_msg "blocking_pfns '$(field blocking_pfns)' lacks $busy_pfn"
	return 1
}

# The report is rate limited (10 in 5 s): earlier tests may have used
# the burst, so give it one more chance after the interval.
busy_logged() {
	local want

	want="$area: blocked by pfn $(printf '%#x' "$busy_pfn"): refcount 1"
	want="$want mapcount 0 flags .* migratetype CMA lru no"
	dmesg | grep -q -E "$want" && return 0
	sleep 5
	fail_over_busy_page >/dev/null && dmesg | grep -q -E "$want" && return 0
	ktap_print_msg "no line like '$want' in the kernel log"
	return 1
}

no_room_recorded() {
	local ret=0

	echo 1 >"$DEBUGFS/$area/alloc" || { ktap_print_msg "alloc 1 failed"; return 1; }
	if echo "$count" >"$DEBUGFS/$area/alloc" 2>/dev/null; then
		ktap_print_msg "alloc $count succeeded with a page taken"
		echo "$count" >"$DEBUGFS/$area/free"
		ret=1
	fi
	echo 1 >"$DEBUGFS/$area/free" || ret=1
	[ $ret = 0 ] || return 1
	expect pages "$count" && expect error -12 &&
		expect free_pages $((count - 1)) &&
		expect largest_free_run $((count - 1)) && expect blocking_pfns ""
}

cma_start
cma_skip_unless "needs CONFIG_CMA_BENCH" test -w "$RUN"
area=$(cma_idle_area)
cma_skip_unless "needs an idle area of one page per bit" test -n "$area"
cma_skip_unless "needs last_failure" test -e "$DEBUGFS/$area/last_failure"
count=$(cat "$DEBUGFS/$area/count")
half=$((count / 2))
busy_pfn=$(($(cat "$DEBUGFS/$area/base_pfn") + half))

ktap_set_plan 5
ktap_test_result "last_failure is 0400" mode_0400
ktap_test_result "a request over a busy page fails and is recorded" fail_over_busy_page
ktap_test_result "last_failure names the request and the busy pfn" busy_recorded
ktap_test_result "the kernel log names the busy page" busy_logged
ktap_test_result "no room: recorded without a blocking page" no_room_recorded
ktap_finished
