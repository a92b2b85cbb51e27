#!/bin/bash
# check-upstream.sh: run every upstream DAMON selftest of the 6.12 tree
# (the "upstream" run of harness/kselftests.txt) on stock 6.12 and on ours,
# both built with the bench config, and print a parity table: a test that
# passes on stock and not on ours is a regression, and the exit status says
# so.
set -u
. "$(dirname "$0")/lib.sh"

"$REPO/harness/install.sh" || die "installing dependencies failed"
for variant in stock ours; do
	name=upstream-$variant
	run=$CACHE/runs/$name
	"$REPO/harness/build.sh" "$variant" bench "" >/dev/null ||
		die "build of $variant/bench failed"
	"$REPO/harness/selftest-bins.sh" "$variant"
	TIMEOUT=${CHECK_TIMEOUT:-2400} QUIET=1 \
		"$REPO/harness/vm.sh" "$variant" bench "" "$name" HARNESS_KERNEL=upstream \
		harness/guest/run-selftests.sh harness/kselftests.txt
	echo "$?" >"$run/boot-status"
	python3 "$REPO/harness/results.py" run "$run" "$variant" \
		"$(src_dir "$variant")/tools/testing/kunit" >/dev/null
done
python3 "$REPO/harness/results.py" parity \
	"$CACHE/runs/upstream-stock/results.json" \
	"$CACHE/runs/upstream-ours/results.json" | tee "$CACHE/runs/upstream-parity.md"
