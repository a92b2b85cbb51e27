#!/bin/bash
# selftest-bins.sh VARIANT: build the helper programs the upstream DAMON
# selftests run (the guest's root is read-only, so they are built here, in
# the variant's build source, before it boots), for $ARCH: each as
# PROG-MACHINE (uname -m of the guest), and PROG is a script that runs the
# one of the machine it runs on, so that guests of two architectures can
# share the tree.
set -eu
. "$(dirname "$0")/lib.sh"

harness_lock "tree-$1"
case $ARCH in
arm64*) machine=aarch64 ;;
arm32) machine=armv7l ;;
*) machine=$ARCH ;;
esac
dir=$(src_dir "$1")/tools/testing/selftests/damon
for prog in access_memory access_memory_even; do
	[ -f "$dir/$prog.c" ] || continue
	if [ ! "$dir/$prog-$machine" -nt "$dir/$prog.c" ]; then
		"${CROSS}gcc" -O2 -o "$dir/$prog-$machine" "$dir/$prog.c"
	fi
	rm -f "$dir/$prog"
	printf '#!/bin/sh\nexec "$0-$(uname -m)" "$@"\n' >"$dir/$prog"
	chmod +x "$dir/$prog"
done
