#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dma_pool_create() and a pool's first dma_pool_alloc() with their 1st,
# 2nd, ... allocation failing. The KUnit suite dmapool_faults does the
# work; at boot it skips, because failslab leaves GFP_KERNEL allocations
# alone until ignore-gfp-wait is N. This test sets that, runs the suite
# again through KUnit's debugfs and reports its result. Needs the debug
# kernel (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS). Output is KTAP.

. "$(dirname "$0")/../kselftest/ktap_helpers.sh"

suite=/sys/kernel/debug/kunit/dmapool_faults
failslab=/sys/kernel/debug/failslab

ktap_print_header
if [ ! -w "$suite/run" ] || [ ! -d "$failslab" ]; then
	ktap_skip_all "needs the dmapool_faults KUnit suite and failslab"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 1

old=$(cat "$failslab/ignore-gfp-wait")
echo N >"$failslab/ignore-gfp-wait"
echo 0 >"$failslab/verbose"
echo run >"$suite/run"
echo "$old" >"$failslab/ignore-gfp-wait"

results=$(cat "$suite/results")
echo "$results" | sed 's/^/# /'
if echo "$results" | grep -q "^ *ok 1 dmapool_test_faults$" &&
	echo "$results" | grep -q "faults injected, dma_pool_create and GFP_KERNEL"; then
	ktap_test_pass "dma_pool_create and first alloc under faults"
else
	ktap_test_fail "dma_pool_create and first alloc under faults"
fi
ktap_finished
