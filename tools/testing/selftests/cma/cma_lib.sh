#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by the CMA kselftests: the KTAP helpers, the two CMA directories,
# the checks every test starts with and the choice of an idle area.

. "$(dirname "$0")/../kselftest/ktap_helpers.sh"

SYSFS=/sys/kernel/mm/cma
DEBUGFS=/sys/kernel/debug/cma

# cma_skip_unless WHY CMD...: skip the whole test, saying WHY, unless CMD.
cma_skip_unless() {
	local why=$1

	shift
	"$@" && return
	ktap_skip_all "$why"
	exit "$KSFT_SKIP"
}

# KTAP header; root and both CMA directories, or skip.
cma_start() {
	ktap_print_header
	cma_skip_unless "must run as root" test "$(id -u)" = 0
	cma_skip_unless "needs CONFIG_CMA_SYSFS and CONFIG_CMA_DEBUGFS" \
		test -d "$SYSFS" -a -d "$DEBUGFS"
}

# The last area in name order with nothing allocated, one page per bitmap
# bit and the available_pages file; nothing if there is none.
cma_idle_area() {
	local a area=

	for a in $(ls "$DEBUGFS"); do
		[ "$(cat "$DEBUGFS/$a/used")" = 0 ] &&
			[ "$(cat "$DEBUGFS/$a/order_per_bit")" = 0 ] &&
			[ -e "$SYSFS/$a/available_pages" ] && area=$a
	done
	echo "$area"
}

# The default area (the DMA API's, from cma= or the device tree's
# linux,cma-default pool): the one the CMA dma-buf heap is made for, under
# the area's name ("reserved" for cma=, the node's name for the device
# tree); nothing if there is no such heap.
cma_default_area() {
	local h

	for h in /dev/dma_heap/*; do
		[ -d "$DEBUGFS/${h##*/}" ] && echo "${h##*/}" && return
	done
}

# cma_heap_alloc AREA: prints "used_before used_held used_after data pages",
# pages being what 1 MiB takes, or fails.
cma_heap_alloc() {
	python3 - "$1" <<'PY'
import fcntl, mmap, os, struct, sys
area = sys.argv[1]
def used():
    return int(open(f'/sys/kernel/debug/cma/{area}/used').read())
# struct dma_heap_allocation_data { u64 len; u32 fd; u32 fd_flags; u64 heap_flags; }
DMA_HEAP_IOCTL_ALLOC = 0xc0184800
size = 1 << 20
before = used()
heap = os.open(f'/dev/dma_heap/{area}', os.O_RDONLY)
req = bytearray(struct.pack('QIIQ', size, 0, os.O_RDWR | os.O_CLOEXEC, 0))
fcntl.ioctl(heap, DMA_HEAP_IOCTL_ALLOC, req)
fd = struct.unpack('QIIQ', req)[1]
held = used()
m = mmap.mmap(fd, size)
m[0:4] = b'cma!'
m[size - 4:size] = b'tail'
ok = m[0:4] == b'cma!' and m[size - 4:size] == b'tail'
m.close()
os.close(fd)
os.close(heap)
print(before, held, used(), 'data-ok' if ok else 'data-bad',
      size // mmap.PAGESIZE)
PY
}

# cma_heap_roundtrip AREA: 1 MiB from the heap of AREA is taken from AREA,
# holds data, and goes back.
cma_heap_roundtrip() {
	local out before held after data pages
	out=$(cma_heap_alloc "$1") || return 1
	read -r before held after data pages <<<"$out"
	ktap_print_msg "used: $before before, $held held, $after after; $data"
	[ "$data" = data-ok ] && [ "$held" = $((before + pages)) ] &&
		[ "$after" = "$before" ]
}
