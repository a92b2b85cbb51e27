#!/bin/bash
# run-selftests.sh LIST: run in the guest each kselftest named in LIST (one
# path per line in the kernel tree, run from the build source tree, where
# our overlay put our own tests next to the kselftest helpers they source;
# '#' starts a comment; a second word names the runs the test belongs to,
# commas between them, "check" when there is none: see
# harness/kselftests.txt) and frame its output for the parser: "#
# selftest: PATH" before, "# selftest-exit: PATH STATUS" after. The run is
# $HARNESS_KERNEL (make check and make check-upstream set it), else the
# config (make vm on x86_64) or the architecture.
# Exit status 4 means skipped, as in the kselftest framework.
set -u
list=$1
src=.cache/src/${HARNESS_VARIANT:-ours}
timeout=${SELFTEST_TIMEOUT:-600}
kernel=${HARNESS_KERNEL:-${HARNESS_CONFIG:-}}
[ "${HARNESS_ARCH:-x86_64}" = x86_64 ] || kernel=${HARNESS_KERNEL:-$HARNESS_ARCH}

failed=0
# The runs a list entry names, the two group names expanded.
runs_of() {
	local runs=,${1:-check},
	runs=${runs//,check,/,base,debug,arm64,}
	echo "${runs//,reach,/,arm64-64k,arm32,}"
}

while read -r path runs _; do
	case "$path" in '' | '#'*) continue ;; esac
	[[ "$(runs_of "$runs")" == *",$kernel,"* ]] || continue
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
