#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The CMA dma-buf heap (drivers/dma-buf/heaps/cma_heap.c), an unchanged
# caller of cma_alloc() and cma_release(): a 1 MiB buffer from the heap of
# the default area is taken from that area (debugfs used grows by 256
# pages), can be mapped, written and read back, and goes back to the area
# when its last file descriptor is closed. Output is KTAP.

. "$(dirname "$0")/cma_lib.sh"

HEAPS=/dev/dma_heap

# heap_roundtrip AREA: prints "used_before used_held used_after" or fails.
heap_roundtrip() {
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
print(before, held, used(), 'data-ok' if ok else 'data-bad')
PY
}

check_roundtrip() {
	local out before held after data
	out=$(heap_roundtrip "$1") || return 1
	read -r before held after data <<<"$out"
	ktap_print_msg "used: $before before, $held held, $after after; $data"
	[ "$data" = data-ok ] && [ "$held" = $((before + 256)) ] &&
		[ "$after" = "$before" ]
}

cma_start
area=
for a in $(ls "$HEAPS" 2>/dev/null); do
	[ -d "$DEBUGFS/$a" ] && area=$a && break
done
cma_skip_unless "no CMA heap in $HEAPS (needs CONFIG_DMABUF_HEAPS_CMA and cma=)" \
	test -n "$area"
ktap_set_plan 1
ktap_test_result "heap $area: 1 MiB taken from the area, mapped, given back" \
	check_roundtrip "$area"
ktap_finished
