#!/bin/bash
# kunit-tool.sh: our KUnit suites the way a kunit.py user runs them: the
# tree's tools/testing/kunit/kunit.py with the .kunitconfig files of
# KUNITCONFIGS (default: mm/tests, our CMA and dmapool suites, and
# mm/damon/tests, DAMON's with our damon-sysfs), x86_64 under QEMU, two
# CPUs (the two-CPU cases of dmapool), build folder .cache/kunit, ccache.
# The log and the results go to .cache/runs/kunit-tool; make check adds a
# row per suite and one for kunit.py's exit status.
set -u
. "$(dirname "$0")/lib.sh"

configs=${KUNITCONFIGS:-mm/tests mm/damon/tests}
src=$(src_dir ours)
run=$CACHE/runs/kunit-tool

harness_lock tree-ours
rm -rf "$run" "$CACHE/kunit/test.log"
mkdir -p "$run" "$CACHE/kunit"
args=()
for c in $configs; do
	args+=("--kunitconfig=$c")
done
status=0
"$REPO/harness/tree.sh" ours >&2 || status=$?
if [ "$status" = 0 ]; then
	(cd "$src" && timeout -k 5 "${KUNIT_TOOL_TIMEOUT:-3600}" \
		./tools/testing/kunit/kunit.py run "${args[@]}" --arch=x86_64 \
		--build_dir="$CACHE/kunit" --make_options "CC=ccache gcc" \
		--jobs="$(nproc)" --qemu_args="-smp 2" --timeout=1200) \
		>"$run/kunit.log" 2>&1 || status=$?
fi
echo "$status" >"$run/status"
cp "$CACHE/kunit/test.log" "$run/test.log" 2>/dev/null || : >"$run/test.log"
tail -n 3 "$run/kunit.log" 2>/dev/null
python3 "$REPO/harness/results.py" kunit-tool "$run" "$src/tools/testing/kunit"
