#!/bin/bash
# cross-lint.sh [ARCH...]: compile our objects for architectures we do not
# boot (default: riscv64 ppc64le), with CMA, DMA pools and DAMON on
# (config/cross.config), W=1 and sparse (C=2). A warning in one of our
# files fails; warnings from elsewhere (arch headers) are shown only. Writes one
# "lint: NAME ok|FAIL (...)" line per architecture to
# .cache/runs/cross-lint/lint.txt, as lint.sh does.
set -u
. "$(dirname "$0")/lib.sh"

res=$CACHE/runs/cross-lint
mkdir -p "$res"
: >"$res/lint.txt"
objs=(mm/cma.o mm/cma_debug.o mm/cma_sysfs.o mm/dmapool.o mm/dmapool_selftest.o mm/damon/sysfs.o)
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(riscv64 ppc64le)
ours="mm/cma\\.[ch]|mm/cma_debug\\.c|mm/cma_sysfs\\.c|mm/dmapool(_selftest)?\\.c|mm/damon/sysfs\\.c|include/linux/(cma|dmapool)\\.h|mm/tests/"
failed=0
"$REPO/harness/tree.sh" ours >&2 || die "no source tree"
for arch in "${archs[@]}"; do
	status=0
	log=$res/$arch.txt
	what="C=2 W=1"
	# Sparse where it runs: Debian's cannot parse riscv's -march
	# (rv64imac_zicsr_zifencei) and stops at the first object.
	checker=(C=2)
	[ "$arch" != riscv64 ] || checker=() what="W=1, no sparse"
	(
		export ARCH=$arch
		. "$REPO/harness/arch.sh"
		out=$(build_dir ours cross)
		"$REPO/harness/configure.sh" ours cross "" &&
			kmake -C "$(src_dir ours)" O="$out" prepare &&
			kmake -C "$(src_dir ours)" O="$out" "${checker[@]}" W=1 "${objs[@]}"
	) >"$log" 2>&1 || status=1
	if grep -E "($ours).*(warning|error)" "$log"; then
		status=1
	fi
	grep -E 'warning|error' "$log" | grep -vE "$ours" | head -n 5
	if [ "$status" = 0 ]; then
		line="lint: W1-sparse-$arch ok (our objects for $arch, $what)"
	else
		line="lint: W1-sparse-$arch FAIL (our objects for $arch, $what)"
		tail -n 20 "$log"
		failed=1
	fi
	echo "$line" | tee -a "$res/lint.txt"
done
exit $failed
