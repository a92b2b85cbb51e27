#!/bin/bash
# selftest-bins.sh VARIANT: build the helper programs the upstream DAMON
# selftests run (the guest's root is read-only, so they are built here, in
# the variant's build source, before it boots), for $ARCH: each as
# PROG-$ARCH, and PROG links to the one of the kernel about to boot.
set -eu
. "$(dirname "$0")/lib.sh"

dir=$(src_dir "$1")/tools/testing/selftests/damon
for prog in access_memory access_memory_even; do
	[ -f "$dir/$prog.c" ] || continue
	if [ ! "$dir/$prog-$ARCH" -nt "$dir/$prog.c" ]; then
		"${CROSS}gcc" -O2 -o "$dir/$prog-$ARCH" "$dir/$prog.c"
	fi
	# A program of an earlier layout is replaced by the link.
	ln -sfn "$prog-$ARCH" "$dir/$prog"
done
