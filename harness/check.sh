#!/bin/bash
# check.sh [KERNEL...]: the test command. Lint, then for each kernel
# (default: base debug arm64) build our kernel, boot it with every KUnit
# suite enabled and run every kselftest in harness/kselftests.txt. A kernel
# is a config of x86_64 (base, debug) or an architecture other than x86_64
# with the base config (arm64). Prints a table per suite, labelled with the
# kernel, and the closing "N passed, N failed" line; exits non-zero on any
# failure or splat.
#
# check.sh --reach [KERNEL...]: make check-reach, the machines that do not
# fit make check's time (default: arm64-64k arm32), each with the tests
# harness/kselftests.txt names for it; instead of lint, our objects compiled
# for riscv64 and ppc64le (cross-lint.sh).
set -u
. "$(dirname "$0")/lib.sh"

reach=0
if [ "${1:-}" = --reach ]; then
	reach=1
	shift
	kernels=${*:-arm64-64k arm32}
else
	kernels=${*:-base debug arm64}
fi
results=()
t0=$(date +%s)

if [ "$reach" = 1 ]; then
	"$REPO/harness/install.sh" reach || die "installing dependencies failed"
else
	"$REPO/harness/install.sh" || die "installing dependencies failed"
fi

step_time() {
	echo "check: $1 took $(($(date +%s) - $2)) s"
}

t=$(date +%s)
if [ "$reach" = 1 ]; then
	# The architectures we only compile for: W=1 and sparse on our objects.
	"$REPO/harness/cross-lint.sh"
	step_time cross-lint "$t"
	python3 "$REPO/harness/results.py" lint "$CACHE/runs/cross-lint/lint.txt" \
		"$CACHE/runs/cross-lint/results.json"
	results+=("$CACHE/runs/cross-lint/results.json")
elif "$REPO/harness/build.sh" ours base "" >/dev/null; then
	step_time "build ours/base" "$t"
	t=$(date +%s)
	"$REPO/harness/lint.sh"
	step_time lint "$t"
else
	echo "lint: build FAIL (ours/base did not build)" >"$CACHE/runs/lint/lint.txt"
fi
if [ "$reach" = 0 ]; then
	python3 "$REPO/harness/results.py" lint "$CACHE/runs/lint/lint.txt" "$CACHE/runs/lint/results.json"
	results+=("$CACHE/runs/lint/results.json")
fi

for kernel in $kernels; do
	case $kernel in
	base | debug) arch=x86_64 config=$kernel ;;
	*) arch=$kernel config=base ;;
	esac
	name=check-$kernel
	run=$CACHE/runs/$name
	t=$(date +%s)
	status=0
	# The CMA areas of the architecture's boot (cma= or the device tree)
	# and one per NUMA node, for the CMA tests; run-selftests.sh picks the
	# tests of this kernel by its name in harness/kselftests.txt.
	(
		export ARCH=$arch
		. "$REPO/harness/arch.sh"
		"$REPO/harness/selftest-bins.sh" ours ||
			die "building the DAMON selftest helpers failed"
		KERNEL_ARGS="$CHECK_ARGS ${KERNEL_ARGS:-}" NUMA=$CHECK_NUMA \
			TIMEOUT=${CHECK_TIMEOUT:-2400} QUIET=1 KUNIT=1 \
			"$REPO/harness/vm.sh" ours "$config" "" "$name" \
			"HARNESS_KERNEL=$kernel" \
			harness/guest/run-selftests.sh harness/kselftests.txt
	) || status=$?
	mkdir -p "$run"
	touch "$run/output.log" "$run/console.log"
	echo "$status" >"$run/boot-status"
	step_time "ours/$kernel build and boot" "$t"
	# make check has every setup the kselftests need: a skip is a failure
	# there. The reach machines lack some (no NUMA nodes on arm64-64k).
	skips=no-skips
	[ "$reach" = 0 ] || skips=
	python3 "$REPO/harness/results.py" run "$run" "$kernel" \
		"$(src_dir ours)/tools/testing/kunit" $skips
	results+=("$run/results.json")
done

# The same suites through kunit.py and our .kunitconfig files, once.
if [ "$reach" = 0 ]; then
	t=$(date +%s)
	"$REPO/harness/kunit-tool.sh"
	step_time "kunit.py" "$t"
	results+=("$CACHE/runs/kunit-tool/results.json")
fi

echo
echo "check: total $(($(date +%s) - t0)) s"
python3 "$REPO/harness/results.py" summary "${results[@]}"
