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

# harness/kselftests.txt is the one list of the kselftests the harness
# runs. It and the TEST_PROGS of the Makefiles (what `make run_tests` runs,
# as lib.mk's emit_tests lists it) name the same tests: every test of our
# TARGETS directories and of upstream's damon directory is listed, every
# listed test is in its directory's TEST_PROGS, and every run named is one
# the harness has. Our directories are in TARGETS.
status=0
list=$REPO/harness/kselftests.txt
runs_known=",check,reach,base,debug,arm64,arm64-64k,arm32,upstream,"
emitted=$res/kselftests-emitted.txt
listed=$res/kselftests-listed.txt
ndirs=0
for d in $( (for mk in "$REPO"/tools/testing/selftests/*/Makefile; do
	basename "$(dirname "$mk")"
done; echo damon) | sort -u); do
	ndirs=$((ndirs + 1))
	if [ -f "$REPO/tools/testing/selftests/$d/Makefile" ] &&
		! grep -qx "TARGETS += $d" tools/testing/selftests/Makefile; then
		echo "lint: $d is not in the TARGETS of tools/testing/selftests/Makefile"
		status=1
	fi
	make -s --no-print-directory -C "tools/testing/selftests/$d" \
		COLLECTION="$d" emit_tests | sed "s|^$d:|tools/testing/selftests/$d/|"
done >"$emitted.raw"
sort -u "$emitted.raw" >"$emitted"
: >"$listed.raw"
while read -r path runs _; do
	case "$path" in '' | '#'*) continue ;; esac
	echo "$path" >>"$listed.raw"
	for r in ${runs//,/ }; do
		[[ "$runs_known" == *",$r,"* ]] ||
			{ echo "lint: $path: unknown run '$r' in kselftests.txt"; status=1; }
	done
done <"$list"
sort "$listed.raw" >"$listed"
if [ -n "$(uniq -d "$listed")" ]; then
	uniq -d "$listed" | sed 's/^/lint: listed twice in kselftests.txt: /'
	status=1
fi
comm -23 "$emitted" "$listed" | sed 's/^/lint: missing from harness\/kselftests.txt: /' | grep . && status=1
comm -13 "$emitted" "$listed" | sed 's/^/lint: in kselftests.txt but in no TEST_PROGS: /' | grep . && status=1
ntests=$(wc -l <"$listed")
[ "$ntests" -gt 0 ] || status=1
verdict kselftests-listed $status "$ntests tests of $ndirs directories in kselftests.txt and TEST_PROGS"

status=0
"$REPO/../shared/tools/originality" --project "$REPO" >"$res/originality.txt" 2>&1 || status=$?
cat "$res/originality.txt"
verdict originality $status "../shared/tools/originality"

exit $failed
