#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The user-visible side of DMA pools: the per-device "pools" file keeps the
# 6.12 format (a "poolinfo - 0.1" header, then one line per pool: name,
# blocks in use, blocks, block size, pages), its counts are consistent,
# it is read-only, and the upstream timing module mm/dmapool_test.c runs
# every case. Needs a device with pools (QEMU's qemu-xhci; skips without
# one) and the module (CONFIG_DMAPOOL_TEST=m, from $HARNESS_BUILD or the
# installed modules; that case skips without it). Output is KTAP.

. "$(dirname "$0")/../kselftest/ktap_helpers.sh"

# Each line after the header: a name (may hold spaces) and four counts,
# with in-use <= blocks.
pools_format_ok() {
	local f=$1 line rest active blocks size pages
	[ "$(head -n 1 "$f")" = "poolinfo - 0.1" ] || { ktap_print_msg "$f: bad header"; return 1; }
	while IFS= read -r line; do
		rest=$(echo "$line" | grep -oE '( +[0-9]+){4}$') || {
			ktap_print_msg "$f: bad line '$line'"
			return 1
		}
		read -r active blocks size pages <<<"$rest"
		[ "$active" -le "$blocks" ] && [ "$size" -gt 0 ] || {
			ktap_print_msg "$f: inconsistent '$line'"
			return 1
		}
		[ "$blocks" = 0 ] || [ "$pages" -gt 0 ] || {
			ktap_print_msg "$f: blocks without pages '$line'"
			return 1
		}
	done < <(tail -n +2 "$f")
}

pools_mode_ok() {
	local mode

	mode=$(stat -c %a "$1")
	[ "$mode" = 444 ] || { ktap_print_msg "$1: mode $mode"; return 1; }
}

not_writable() {
	! (echo 1 >"$1") 2>/dev/null
}

module_runs_all_cases() {
	local lines
	dmesg -C
	"$@" || return 1
	rmmod dmapool_test
	lines=$(dmesg | grep -c 'dmapool test: size:')
	dmesg | grep "dmapool test: size:" | sed "s/^/# /"
	[ "$lines" = 6 ] || { ktap_print_msg "$lines of 6 cases reported"; return 1; }
}

ktap_print_header
if [ "$(id -u)" != 0 ]; then
	ktap_skip_all "must run as root"
	exit "$KSFT_SKIP"
fi
mapfile -t files < <(find /sys/devices -name pools 2>/dev/null)
if [ "${#files[@]}" = 0 ]; then
	ktap_skip_all "no device has dma pools (QEMU: -device qemu-xhci, CONFIG_USB_XHCI_PCI)"
	exit "$KSFT_SKIP"
fi
# The module from the harness's build, else from the installed modules.
ko=${HARNESS_BUILD:+$HARNESS_BUILD/mm/dmapool_test.ko}
load=()
if [ -n "$ko" ] && [ -f "$ko" ]; then
	load=(insmod "$ko")
elif modinfo dmapool_test >/dev/null 2>&1; then
	load=(modprobe dmapool_test)
fi
ktap_set_plan $((3 * ${#files[@]} + 1))
for f in "${files[@]}"; do
	ktap_test_result "$f: 6.12 format, consistent counts" pools_format_ok "$f"
	ktap_test_result "$f: mode 0444" pools_mode_ok "$f"
	ktap_test_result "$f: writing fails" not_writable "$f"
done
if [ ${#load[@]} -gt 0 ]; then
	ktap_test_result "dmapool_test runs all 6 cases" module_runs_all_cases "${load[@]}"
else
	ktap_test_skip "dmapool_test.ko not found (CONFIG_DMAPOOL_TEST=m)"
fi
ktap_finished
