#!/bin/bash
# bench-stamp.sh: one line naming the code a make bench run measures: the
# sha256 of our kernel files (mm/, include/, patches/ of the repository,
# but the KUnit suites, which the benchmarks do not run), the bench config
# and the guest's benchmark scripts. bench.sh writes it into
# docs/bench/results.md; lint's bench-fresh row fails when the files
# changed since, so that figures in docs/ describe the code beside them.
set -eu
. "$(dirname "$0")/lib.sh"

cd "$REPO"
files=$(git ls-files --cached --others --exclude-standard mm include patches harness/config/bench.config \
	harness/guest/bench.sh harness/guest/damon_bench.py | grep -v '/tests/')
# Contents of the work tree, not of the index: uncommitted edits count.
# shellcheck disable=SC2086
hash=$(for f in $files; do
	[ -f "$f" ] && printf '%s %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$f"
done | sha256sum | cut -c1-16)
echo "$hash ($(wc -w <<<"$files") files)"
