#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmarks of mm/bench still work: make bench is not part of make
# check, so this is where they would be seen to rot. The built-in CMA
# benchmark (CONFIG_CMA_BENCH, /sys/kernel/debug/cma_bench/run) refuses
# bad commands with the documented error, runs the idle, busy, small and
# pair cases on small sizes, prints one result line for each and leaves the
# areas as it found them; the dmapool_bench module (from $HARNESS_BUILD,
# when the harness runs us) reports its pairs. Figures are checked for
# being there, never for their size. Output is KTAP.

. "$(dirname "$0")/cma_lib.sh"
RUN=/sys/kernel/debug/cma_bench/run

# bench_write CMD: write CMD to the run file; prints the error text of a
# failed write ("Invalid argument", ...), nothing on success.
bench_write() {
	local err

	err=$({ printf '%s' "$1" >"$RUN"; } 2>&1) && return 0
	echo "${err##*: }"
	return 1
}

# refused CMD ERROR: the write of CMD fails with ERROR.
refused() {
	local got

	got=$(bench_write "$1") && { ktap_print_msg "'$1' accepted"; return 1; }
	[ "$got" = "$2" ] && return 0
	ktap_print_msg "'$1': $got, expected $2"
	return 1
}

# lines CMD PATTERN N: CMD succeeds and logs N lines matching PATTERN.
lines() {
	local got

	dmesg -C
	bench_write "$1" >/dev/null || { ktap_print_msg "'$1' failed"; return 1; }
	got=$(dmesg | grep -c -E "cma_bench: $2")
	[ "$got" = "$3" ] && return 0
	ktap_print_msg "'$1': $got lines like '$2', expected $3"
	return 1
}

used_zero() {
	local a

	for a in "$@"; do
		[ "$(cat "$DEBUGFS/$a/used")" = 0 ] ||
			{ ktap_print_msg "$a: used $(cat "$DEBUGFS/$a/used")"; return 1; }
	done
}

all_refused() {
	refused " " "Invalid argument" &&
		refused "frob $area" "Invalid argument" &&
		refused "idle no_such_area" "No such device" &&
		refused "idle $area extra" "Invalid argument" &&
		refused "busy $area 100" "Invalid argument" &&
		refused "busy $area 100 0" "Invalid argument" &&
		refused "busy $area 99999999 1" "Invalid argument" &&
		refused "busy $area 100 512 loud" "Invalid argument" &&
		refused "busy $area 100 512 warn extra" "Invalid argument" &&
		refused "small $area" "Invalid argument" &&
		refused "small $area 0" "Invalid argument" &&
		refused "small $area 100001" "Invalid argument" &&
		refused "small $area 1 extra" "Invalid argument" &&
		refused "quiet $area" "Invalid argument" &&
		refused "quiet $area 10000000001" "Invalid argument" &&
		refused "quiet $area 1 extra" "Invalid argument" &&
		refused "pair $area $area" "No such device" &&
		refused "pair $p0 $p1 0" "Invalid argument" &&
		refused "pair $p0 $p1 100001" "Invalid argument" &&
		refused "pair $p0 $p1 1x" "Invalid argument" &&
		refused "pair $p0 $p1 1 extra" "Invalid argument" &&
		refused "idle $(printf 'r%.0s' $(seq 1 200))" "Invalid argument"
}

# (ktap_test_result splits its arguments at spaces: one function a case.)
idle_case() {
	lines "idle $area" "case=idle pages=[0-9]+ align=[09] ns=[0-9]+" 8
}

busy_case() {
	lines "busy $area 100 512" \
		"case=busy offset=100 pages=512 result=ok ns=[0-9]+" 1
}

small_case() {
	lines "small $area 10" "case=small pages=1 rounds=10 ns=[0-9]+" 1
}

pair_case() {
	lines "pair $p0 $p1 2" \
		"case=pair pages=512 rounds=2 sequential_ns=[1-9][0-9]* concurrent_ns=[1-9][0-9]*" 1
}

dmapool_bench() {
	local ko=${HARNESS_BUILD:-}/mm/bench/dmapool_bench.ko line

	dmesg -C
	# It reports and then refuses to stay loaded.
	insmod "$ko" threads=2 size=64 rounds=2 2>/dev/null
	line=$(dmesg | grep -o 'dmapool_bench: size=64 threads=2 pairs=[1-9][0-9]* ns=[1-9][0-9]*')
	[ -n "$line" ] && ! grep -q '^dmapool_bench ' /proc/modules
}

# The idle areas the cases may use, the default one first when it is idle
# (on arm64 and 32-bit ARM the DMA API takes pages from the default area at
# boot), per-node ones left out: they are the pair's when there are two.
idle_areas() {
	local a

	for a in "$(cma_default_area)" $(ls "$DEBUGFS"); do
		case $a in '' | pernuma0 | pernuma1) continue ;; esac
		[ "$(cat "$DEBUGFS/$a/used")" = 0 ] && echo "$a"
	done | awk '!seen[$0]++'
}

cma_start
cma_skip_unless "needs CONFIG_CMA_BENCH" test -w "$RUN"
mapfile -t idle < <(idle_areas)
area=${idle[0]:-}
if [ -d "$DEBUGFS/pernuma0" ] && [ -d "$DEBUGFS/pernuma1" ]; then
	p0=pernuma0 p1=pernuma1
else
	p0=$area p1=${idle[1]:-}
fi
cma_skip_unless "needs two idle areas (or one besides pernuma0 and pernuma1)" \
	test -n "$area" -a -n "$p1"
cma_skip_unless "the areas must be idle" used_zero "$area" "$p0" "$p1"

ktap_set_plan 7
ktap_test_result "bad commands refused with their error" all_refused
ktap_test_result "idle: 8 cases (1-4096 pages, align 0 and 9)" idle_case
ktap_test_result "busy: a 512-page request past a busy page succeeds" busy_case
ktap_test_result "small: 10 one-page rounds" small_case
ktap_test_result "pair: 2 rounds, both timings" pair_case
ktap_test_result "the areas are left idle" used_zero "$area" "$p0" "$p1"
if [ -f "${HARNESS_BUILD:-}/mm/bench/dmapool_bench.ko" ]; then
	ktap_test_result "dmapool_bench: two threads report their pairs" dmapool_bench
else
	ktap_test_skip "dmapool_bench.ko: not built here (\$HARNESS_BUILD unset)"
fi
ktap_finished
