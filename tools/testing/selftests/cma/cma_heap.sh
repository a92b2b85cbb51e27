#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The CMA dma-buf heap (drivers/dma-buf/heaps/cma_heap.c), an unchanged
# caller of cma_alloc() and cma_release(): a 1 MiB buffer from the heap of
# the default area is taken from that area (debugfs used grows by 1 MiB
# of pages), can be mapped, written and read back, and goes back to the area
# when its last file descriptor is closed. Output is KTAP.

. "$(dirname "$0")/cma_lib.sh"

HEAPS=/dev/dma_heap

cma_start
area=$(cma_default_area)
cma_skip_unless "no CMA heap in $HEAPS (needs CONFIG_DMABUF_HEAPS_CMA and a default area)" \
	test -n "$area"
ktap_set_plan 1
ktap_test_result "heap $area: 1 MiB taken from the area, mapped, given back" \
	cma_heap_roundtrip "$area"
ktap_finished
