#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The user-visible side of DMA pools: the per-device "pools" file keeps the
# 6.12 format (a "poolinfo - 0.1" header, then one line per pool: name,
# blocks in use, blocks, block size, pages), its counts are consistent,
# it is read-only, and the upstream timing module mm/dmapool_test.c runs
# every case. Needs a device with pools (QEMU's qemu-xhci) and the module
# (CONFIG_DMAPOOL_TEST=m, found in $HARNESS_BUILD). Output is KTAP.

ksft_skip=4
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

# Each line after the header: a name (may hold spaces) and four counts,
# with in-use <= blocks.
pools_format_ok() {
	local f=$1 line rest active blocks size pages
	[ "$(head -n 1 "$f")" = "poolinfo - 0.1" ] || { echo "# $f: bad header"; return 1; }
	while IFS= read -r line; do
		rest=$(echo "$line" | grep -oE '( +[0-9]+){4}$') || {
			echo "# $f: bad line '$line'"
			return 1
		}
		read -r active blocks size pages <<<"$rest"
		[ "$active" -le "$blocks" ] && [ "$size" -gt 0 ] || {
			echo "# $f: inconsistent '$line'"
			return 1
		}
		[ "$blocks" = 0 ] || [ "$pages" -gt 0 ] || {
			echo "# $f: blocks without pages '$line'"
			return 1
		}
	done < <(tail -n +2 "$f")
}

pools_mode_ok() {
	[ "$(stat -c %a "$1")" = 444 ] || { echo "# $1: mode $(stat -c %a "$1")"; return 1; }
}

not_writable() {
	! (echo 1 >"$1") 2>/dev/null
}

module_runs_all_cases() {
	local ko=$1 lines
	dmesg -C
	insmod "$ko" || return 1
	rmmod dmapool_test
	lines=$(dmesg | grep -c 'dmapool test: size:')
	dmesg | grep 'dmapool test: size:' | sed 's/^/# /'
	[ "$lines" = 6 ] || { echo "# $lines of 6 cases reported"; return 1; }
}

echo "TAP version 13"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP must run as root"
	exit $ksft_skip
fi
mapfile -t files < <(find /sys/devices -name pools 2>/dev/null)
ko=${HARNESS_BUILD:+$HARNESS_BUILD/mm/dmapool_test.ko}
echo "1..$((3 * ${#files[@]} + 2))"
check "some device has dma pools" test "${#files[@]}" -gt 0
for f in "${files[@]}"; do
	check "$f: 6.12 format, consistent counts" pools_format_ok "$f"
	check "$f: mode 0444" pools_mode_ok "$f"
	check "$f: writing fails" not_writable "$f"
done
if [ -n "$ko" ] && [ -f "$ko" ]; then
	check "mm/dmapool_test.ko runs all 6 cases" module_runs_all_cases "$ko"
else
	echo "ok $((nr + 1)) mm/dmapool_test.ko # SKIP module not built"
	nr=$((nr + 1))
fi
echo "# $nr tests, $nfail failed"
[ "$nfail" = 0 ]
