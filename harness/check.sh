#!/bin/bash
# check.sh [CONFIG...]: the test command. Lint, then for each kernel config
# (default: base debug) build our kernel, boot it with every KUnit suite
# enabled and run every kselftest in harness/kselftests.txt. Prints a table
# per suite and the closing "N passed, N failed" line; exits non-zero on any
# failure or splat.
set -u
. "$(dirname "$0")/lib.sh"

configs=${*:-base debug}
results=()
t0=$(date +%s)

"$REPO/harness/install.sh" || die "installing dependencies failed"

step_time() {
	echo "check: $1 took $(($(date +%s) - $2)) s"
}

t=$(date +%s)
if "$REPO/harness/build.sh" ours base "" >/dev/null; then
	step_time "build ours/base" "$t"
	t=$(date +%s)
	"$REPO/harness/lint.sh"
	step_time lint "$t"
else
	echo "lint: build FAIL (ours/base did not build)" >"$CACHE/runs/lint/lint.txt"
fi
python3 "$REPO/harness/results.py" lint "$CACHE/runs/lint/lint.txt" "$CACHE/runs/lint/results.json"
results+=("$CACHE/runs/lint/results.json")

"$REPO/harness/selftest-bins.sh" ours || die "building the DAMON selftest helpers failed"
for config in $configs; do
	name=check-$config
	run=$CACHE/runs/$name
	t=$(date +%s)
	status=0
	# Five CMA areas (cma= and one per node) for the CMA tests.
	KERNEL_ARGS="numa=fake=4 cma_pernuma=16M ${KERNEL_ARGS:-}" \
		TIMEOUT=${CHECK_TIMEOUT:-2400} QUIET=1 KUNIT=1 \
		"$REPO/harness/vm.sh" ours "$config" "" "$name" \
		harness/guest/run-selftests.sh harness/kselftests.txt || status=$?
	mkdir -p "$run"
	touch "$run/output.log" "$run/console.log"
	echo "$status" >"$run/boot-status"
	step_time "ours/$config build and boot" "$t"
	# Every setup the kselftests need is here: a skip is a failure.
	python3 "$REPO/harness/results.py" run "$run" "$config" \
		"$(src_dir ours)/tools/testing/kunit" no-skips
	results+=("$run/results.json")
done

# The same suites through kunit.py and our .kunitconfig files, once.
t=$(date +%s)
"$REPO/harness/kunit-tool.sh"
step_time "kunit.py" "$t"
results+=("$CACHE/runs/kunit-tool/results.json")

echo
echo "check: total $(($(date +%s) - t0)) s"
python3 "$REPO/harness/results.py" summary "${results[@]}"
