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
