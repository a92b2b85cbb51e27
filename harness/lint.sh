#!/bin/bash
# lint.sh: the style and ABI checks on our kernel files. Each check prints
# its findings and one "lint: NAME ok|FAIL (what it covered)" line; the same
# lines go to .cache/runs/lint/lint.txt for make check. Exit status 1 when
# any check fails. Needs the ours/base build (sparse and W=1 rebuild our
# objects in it).
set -u
. "$(dirname "$0")/lib.sh"

src=$(src_dir ours)
out=$(build_dir ours base)
harness_lock tree-ours
res=$CACHE/runs/lint
mkdir -p "$res"
: >"$res/lint.txt"
failed=0

verdict() {
	local name=$1 status=$2 what=$3 line
	if [ "$status" = 0 ]; then
		line="lint: $name ok ($what)"
	else
		line="lint: $name FAIL ($what)"
		failed=1
	fi
	echo "$line" | tee -a "$res/lint.txt"
}

# Our kernel files: everything overlaid except the selftests' config lists.
mapfile -t files < <(cd "$REPO" && for d in $KERNEL_DIRS; do
	[ -d "$d" ] && find "$d" -type f ! -name config ! -name '.*'
done | sort)
mapfile -t csrc < <(printf '%s\n' "${files[@]}" | grep -E '^(mm|lib|kernel|drivers|include)/.*\.[ch]$')
mapfile -t cobj < <(printf '%s\n' "${csrc[@]}" | grep '\.c$' | sed 's/\.c$/.o/')
mapfile -t abi < <(printf '%s\n' "${files[@]}" | grep '^Documentation/ABI/')
patches=("$REPO"/patches/bench/*.patch "$REPO"/patches/*.patch)
mapfile -t patches < <(for p in "${patches[@]}"; do [ -e "$p" ] && echo "$p"; done)

cd "$src" || die "no source tree; run make build"

status=0
for f in "${files[@]}"; do
	./scripts/checkpatch.pl --strict --quiet --no-tree --show-types \
		--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES -f "$REPO/$f" || status=1
done
verdict checkpatch-files $status "${#files[@]} files, --strict"

status=0
for p in "${patches[@]}"; do
	./scripts/checkpatch.pl --strict --quiet --no-tree --show-types "$p" || status=1
done
verdict checkpatch-patches $status "${#patches[@]} patches, --strict"

status=0
if [ ${#csrc[@]} -gt 0 ]; then
	./scripts/kernel-doc -none -Wall "${csrc[@]/#/$REPO/}" 2>&1 | tee "$res/kernel-doc.txt"
	[ -s "$res/kernel-doc.txt" ] && status=1
fi
verdict kernel-doc $status "${#csrc[@]} files, -Wall"

status=0
if [ ${#cobj[@]} -gt 0 ]; then
	kmake O="$out" C=2 W=1 "${cobj[@]}" >"$res/sparse-w1.txt" 2>&1 || status=1
	grep -E 'warning|error' "$res/sparse-w1.txt" && status=1
fi
verdict sparse-W1 $status "${#cobj[@]} objects, C=2 W=1"

status=0
./scripts/get_abi.pl validate --dir Documentation/ABI >"$res/abi.txt" 2>&1 || status=1
if [ ${#abi[@]} -gt 0 ]; then
	for f in "${abi[@]}"; do
		grep -F "$f" "$res/abi.txt" && status=1
	done
fi
verdict abi-validate $status "${#abi[@]} ABI files of ours, get_abi.pl validate"

# Every kselftest of our TARGETS directories (what `make run_tests` runs,
# as lib.mk's emit_tests lists it) is in TARGETS and in the list make check
# runs, harness/kselftests.txt.
status=0
ntests=0 ndirs=0
for mk in "$REPO"/tools/testing/selftests/*/Makefile; do
	d=$(basename "$(dirname "$mk")")
	ndirs=$((ndirs + 1))
	if ! grep -qx "TARGETS += $d" tools/testing/selftests/Makefile; then
		echo "lint: $d is not in the TARGETS of tools/testing/selftests/Makefile"
		status=1
	fi
	for t in $(make -s --no-print-directory -C "tools/testing/selftests/$d" \
		COLLECTION="$d" emit_tests | sed "s|^$d:||"); do
		ntests=$((ntests + 1))
		grep -Eq "^tools/testing/selftests/$d/$t( |$)" "$REPO/harness/kselftests.txt" ||
			{ echo "lint: $d/$t is missing from harness/kselftests.txt"; status=1; }
	done
done
[ "$ntests" -gt 0 ] || status=1
verdict kselftests-listed $status "$ntests tests of $ndirs TARGETS in kselftests.txt"

status=0
"$REPO/../shared/tools/originality" --project "$REPO" >"$res/originality.txt" 2>&1 || status=$?
cat "$res/originality.txt"
verdict originality $status "../shared/tools/originality"

exit $failed
