#!/bin/bash
# selftest-bins.sh VARIANT: build the helper programs the upstream DAMON
# selftests run (the guest's root is read-only, so they are built here, in
# the variant's build source, before it boots).
set -eu
. "$(dirname "$0")/lib.sh"

harness_lock "tree-$1"
dir=$(src_dir "$1")/tools/testing/selftests/damon
for prog in access_memory access_memory_even; do
	[ -f "$dir/$prog.c" ] || continue
	[ "$dir/$prog" -nt "$dir/$prog.c" ] && continue
	gcc -O2 -o "$dir/$prog" "$dir/$prog.c"
done
