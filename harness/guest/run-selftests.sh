#!/bin/bash
# run-selftests.sh LIST: run in the guest each kselftest named in LIST (one
# path per line in the kernel tree, run from the build source tree, where
# our overlay put our own tests next to the kselftest helpers they source;
# '#' starts a comment; a second word names the only kernels the test runs
# on, separated by commas: make check's kernels (base, debug, arm64), for
# tests that need the debug kernel's options or cannot run on a machine)
# and frame its output for the parser: "# selftest: PATH" before,
# "# selftest-exit: PATH STATUS" after. The kernel is $HARNESS_KERNEL
# (make check sets it), else the config (make vm on x86_64). HARNESS_TESTS,
# when set, is an extended regular expression a path must match.
# Exit status 4 means skipped, as in the kselftest framework.
set -u
list=$1
src=.cache/src/${HARNESS_VARIANT:-ours}
timeout=${SELFTEST_TIMEOUT:-600}
kernel=${HARNESS_KERNEL:-${HARNESS_CONFIG:-}}
[ "${HARNESS_ARCH:-x86_64}" = x86_64 ] || kernel=${HARNESS_KERNEL:-$HARNESS_ARCH}

failed=0
while read -r path only _; do
	case "$path" in '' | '#'*) continue ;; esac
	[ -n "$only" ] && [[ ",$only," != *",$kernel,"* ]] && continue
	[ -n "${HARNESS_TESTS:-}" ] && ! [[ "$path" =~ $HARNESS_TESTS ]] && continue
	test=$src/$path
	echo "# selftest: $path"
	if [ ! -e "$test" ]; then
		echo "# selftest-exit: $path 127"
		failed=1
		continue
	fi
	dir=$(dirname "$test")
	start=$SECONDS
	(cd "$dir" && timeout -k 5 "$timeout" "./$(basename "$test")" </dev/null 2>&1)
	status=$?
	echo "# selftest-time: $path $((SECONDS - start)) s"
	echo "# selftest-exit: $path $status"
	case $status in 0 | 4) ;; *) failed=1 ;; esac
done <"$list"
exit $failed
