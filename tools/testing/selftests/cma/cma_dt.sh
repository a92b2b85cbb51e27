#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# CMA areas from the device tree: every reusable shared-dma-pool node under
# /reserved-memory is a CMA area named after the node, of the node's size,
# at the node's address when it gives one (reg); the linux,cma-default one
# backs the CMA dma-buf heap, and the others allocate and release through
# debugfs. A pool the kernel refused (a reg not aligned to a pageblock, say)
# has no area: that fails. Skipped without a device tree. Output is KTAP.

. "$(dirname "$0")/cma_lib.sh"

DT=/sys/firmware/devicetree/base
RMEM=$DT/reserved-memory
PAGE=$(python3 -c 'import mmap; print(mmap.PAGESIZE)')

# cells FILE FIRST COUNT: the big-endian 32-bit cells FIRST..FIRST+COUNT-1
# of a property, as one number.
cells() {
	local v=0 c

	for c in $(od -An -v -tu4 --endian=big "$1" | xargs -n1 |
		tail -n +"$(($2 + 1))" | head -n "$3"); do
		v=$((v * 4294967296 + c))
	done
	echo "$v"
}

is_cma_pool() {
	[ -e "$1/reusable" ] && [ ! -e "$1/no-map" ] &&
		tr '\0' '\n' <"$1/compatible" 2>/dev/null | grep -qx shared-dma-pool
}

# What the kernel said about the pool at boot, for the log.
boot_lines() {
	dmesg | grep -F -e "$1" -e 'Reserved memory' | head -n 5 |
		while read -r line; do ktap_print_msg "$line"; done
}

# pool_size NODE, pool_base NODE (nothing for a pool the kernel places).
pool_size() {
	if [ -e "$1/size" ]; then
		cells "$1/size" 0 "$scells"
	else
		cells "$1/reg" "$acells" "$scells"
	fi
}

pool_base() {
	[ -e "$1/reg" ] && cells "$1/reg" 0 "$acells"
}

area_matches() {
	local node=$1 name size base have

	name=$(basename "$node")
	if [ ! -d "$DEBUGFS/$name" ] || [ ! -d "$SYSFS/$name" ]; then
		ktap_print_msg "$name: no CMA area of that name"
		boot_lines "$name"
		return 1
	fi
	size=$(pool_size "$node")
	have=$(($(cat "$DEBUGFS/$name/count") * PAGE))
	[ "$have" = "$size" ] || {
		ktap_print_msg "$name: $have bytes, the device tree says $size"
		return 1
	}
	base=$(pool_base "$node") || return 0
	have=$(($(cat "$DEBUGFS/$name/base_pfn") * PAGE))
	[ "$have" = "$base" ] || {
		ktap_print_msg "$name: at $(printf %#x "$have"), reg says $(printf %#x "$base")"
		return 1
	}
}

backs_heap() {
	local name

	name=$(basename "$1")
	[ "$(cma_default_area)" = "$name" ] || {
		ktap_print_msg "the CMA heap is '$(cma_default_area)', not $name"
		return 1
	}
	cma_heap_roundtrip "$name"
}

# 16 pages taken through debugfs alloc, counted in used, given back by free.
debugfs_roundtrip() {
	local a before

	a=$DEBUGFS/$(basename "$1")
	[ -d "$a" ] || return 1
	before=$(cat "$a/used")
	echo 16 >"$a/alloc" || return 1
	[ "$(cat "$a/used")" = $((before + 16)) ] || {
		ktap_print_msg "used $(cat "$a/used") after alloc, want $((before + 16))"
		echo 16 >"$a/free"
		return 1
	}
	echo 16 >"$a/free" && [ "$(cat "$a/used")" = "$before" ]
}

cma_start
cma_skip_unless "no device tree: the areas come from cma= here" test -d "$DT"
pools=()
for node in "$RMEM"/*; do
	is_cma_pool "$node" && pools+=("$node")
done
cma_skip_unless "no reusable shared-dma-pool under /reserved-memory" \
	test ${#pools[@]} -gt 0
acells=$(cells "$RMEM/#address-cells" 0 1)
scells=$(cells "$RMEM/#size-cells" 0 1)

ktap_set_plan $((2 * ${#pools[@]}))
for node in "${pools[@]}"; do
	name=$(basename "$node")
	ktap_test_result "$name: an area of the pool's size and place" area_matches "$node"
	if [ -e "$node/linux,cma-default" ]; then
		ktap_test_result "$name: the default area backs the CMA heap" backs_heap "$node"
	else
		ktap_test_result "$name: allocates and releases through debugfs" \
			debugfs_roundtrip "$node"
	fi
done
ktap_finished
