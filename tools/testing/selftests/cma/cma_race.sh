#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two writers allocate and free through debugfs on the same CMA area while
# a reader keeps reading used, maxchunk, bitmap and the sysfs counters, for
# CMA_RACE_SECONDS (default 10). Every value read stays in range, every
# write either succeeds or fails with an error, and afterwards the area is
# back where it started: used 0, as many pages released as allocated. The
# harness fails the run on any kernel splat. Output is KTAP.

. "$(dirname "$0")/cma_lib.sh"
SECONDS_TO_RUN=${CMA_RACE_SECONDS:-10}

held() {
	echo $(($(cat "$SYSFS/$area/alloc_pages_success") -
		$(cat "$SYSFS/$area/release_pages_success")))
}

# writer ID: alloc then free 1..64 pages until the time is up; prints
# "ok N" (pairs done) or the first unexpected failure.
writer() {
	local n pairs=0 end=$((SECONDS + SECONDS_TO_RUN))
	RANDOM=$1
	while [ "$SECONDS" -lt "$end" ]; do
		n=$((RANDOM % 64 + 1))
		echo "$n" >"$DEBUGFS/$area/alloc" 2>/dev/null || continue
		if ! echo "$n" >"$DEBUGFS/$area/free"; then
			echo "free of $n failed"
			return
		fi
		pairs=$((pairs + 1))
	done
	echo "ok $pairs"
}

# reader: every value in range; prints "ok N" (rounds) or what was wrong.
reader() {
	local used maxchunk avail words rounds=0 end=$((SECONDS + SECONDS_TO_RUN))
	while [ "$SECONDS" -lt "$end" ]; do
		read -r used <"$DEBUGFS/$area/used"
		read -r maxchunk <"$DEBUGFS/$area/maxchunk"
		read -r avail <"$SYSFS/$area/available_pages"
		read -ra words <"$DEBUGFS/$area/bitmap"
		words=${#words[@]}
		if [ "$used" -gt "$count" ] || [ "$maxchunk" -gt "$count" ] ||
		   [ "$avail" -gt "$count" ] || [ "$words" != "$nwords" ]; then
			echo "out of range: used $used maxchunk $maxchunk" \
				"available $avail words $words"
			return
		fi
		rounds=$((rounds + 1))
	done
	echo "ok $rounds"
}

result_ok() {
	local what=$1 file=$2
	read -r verdict n <"$file"
	if [ "$verdict" != ok ] || [ "${n:-0}" -eq 0 ]; then
		ktap_print_msg "$what: $(cat "$file")"
		return 1
	fi
	ktap_print_msg "$what: $n rounds"
}

cma_start
area=$(cma_idle_area)
cma_skip_unless "no idle CMA area with available_pages" test -n "$area"
count=$(cat "$DEBUGFS/$area/count")
nwords=$(((count + 31) / 32))
before=$(held)
tmp=$(mktemp -d)
ktap_print_msg "area $area, $SECONDS_TO_RUN s"

ktap_set_plan 4
writer 1 >"$tmp/w1" &
writer 2 >"$tmp/w2" &
reader >"$tmp/r" &
wait
ktap_test_result "writer 1: every write succeeded or failed cleanly" result_ok writer1 "$tmp/w1"
ktap_test_result "writer 2: every write succeeded or failed cleanly" result_ok writer2 "$tmp/w2"
ktap_test_result "reader: every value in range" result_ok reader "$tmp/r"
ktap_test_result "area back to its start: used 0, releases match" \
	test "$(cat "$DEBUGFS/$area/used")" = 0 -a "$(held)" = "$before"
rm -rf "$tmp"
ktap_finished
