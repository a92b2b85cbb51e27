#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the CMA areas of a machine with high memory landed: the area of a
# "cma=" parameter without a range (the default one, "reserved") lies in
# high memory, where cma_declare_contiguous_nid() tries first, and a device
# tree pool limited by alloc-ranges lies inside them, in low memory. Each
# area's place is printed. Skipped without high memory. Output is KTAP.

. "$(dirname "$0")/cma_lib.sh"

RMEM=/sys/firmware/devicetree/base/reserved-memory
PAGE=$(python3 -c 'import mmap; print(mmap.PAGESIZE)')

# The first page frame of the HighMem zone.
highmem_start() {
	awk '/^Node .* zone +HighMem/ { hm = 1 } hm && /start_pfn:/ { print $2; exit }' \
		/proc/zoneinfo
}

# cells FILE: the big-endian 32-bit cells of a property, one a line.
cells() {
	od -An -v -tu4 --endian=big "$1" | xargs -n1
}

span() {
	local a=$DEBUGFS/$1 base count

	base=$(cat "$a/base_pfn")
	count=$(cat "$a/count")
	printf '%#x-%#x' $((base * PAGE)) $(((base + count) * PAGE - 1))
}

in_highmem() {
	local base

	base=$(cat "$DEBUGFS/$1/base_pfn")
	ktap_print_msg "$1: $(span "$1"), high memory from $(printf %#x $((hm * PAGE)))"
	[ "$base" -ge "$hm" ]
}

# in_ranges AREA NODE: the area lies inside one of the node's alloc-ranges
# (two address cells, two size cells) and below high memory.
in_ranges() {
	local a=$DEBUGFS/$1 lo hi start end c i

	lo=$(($(cat "$a/base_pfn") * PAGE))
	hi=$((lo + $(cat "$a/count") * PAGE))
	ktap_print_msg "$1: $(span "$1"), high memory from $(printf %#x $((hm * PAGE)))"
	[ "$hi" -le $((hm * PAGE)) ] || return 1
	mapfile -t c < <(cells "$2/alloc-ranges")
	for ((i = 0; i + 3 < ${#c[@]}; i += 4)); do
		start=$((c[i] * 4294967296 + c[i + 1]))
		end=$((start + c[i + 2] * 4294967296 + c[i + 3]))
		[ "$lo" -ge "$start" ] && [ "$hi" -le "$end" ] && return 0
	done
	return 1
}

cma_start
hm=$(highmem_start)
cma_skip_unless "no high memory" test -n "$hm"
checks=()
if grep -qE '(^| )cma=[0-9]+[KMG]?( |$)' /proc/cmdline; then
	checks+=("reserved")
fi
limited=()
for node in "$RMEM"/*; do
	[ -e "$node/alloc-ranges" ] && [ -d "$DEBUGFS/$(basename "$node")" ] &&
		limited+=("$node")
done
cma_skip_unless "no cma= area and no device-tree pool with alloc-ranges" \
	test $((${#checks[@]} + ${#limited[@]})) -gt 0

ktap_set_plan $((${#checks[@]} + ${#limited[@]}))
for a in "${checks[@]}"; do
	ktap_test_result "$a (cma= without a range) is in high memory" in_highmem "$a"
done
for node in "${limited[@]}"; do
	name=$(basename "$node")
	ktap_test_result "$name stays in its alloc-ranges, in low memory" \
		in_ranges "$name" "$node"
done
ktap_finished
