#!/bin/bash
# bench.sh: build the bench config from the pristine tree (stock) and with
# our overlay (ours), run the same benchmarks in both and report ours
# against stock. Instruction mode boots each kernel once under QEMU
# -icount (1 vCPU); wall mode alternates stock and ours $WALL_RUNS times
# (default 5) with 2 vCPUs under MTTCG, each boot running each case three
# times after an untimed run (the report takes the median per boot). BENCH_OURS=stock measures
# stock against itself, to show that the comparison is fair.
# Results: .cache/bench/results.md and ratios.png, copied to docs/bench
# when ours is ours.
set -eu
. "$(dirname "$0")/lib.sh"

ours=${BENCH_OURS:-ours}
runs=${WALL_RUNS:-5}
outdir=$CACHE/bench
rm -rf "$outdir"
mkdir -p "$outdir"

# What is measured, named before the builds: an edit during the run must
# not be taken for measured.
stamp=$("$REPO/harness/bench-stamp.sh")
for v in stock "$ours"; do
	"$REPO/harness/build.sh" "$v" bench "" >/dev/null
done
# The CMA cases want two more areas, on two (fake) NUMA nodes.
export KERNEL_ARGS="numa=fake=2 cma_pernuma=32M ${KERNEL_ARGS:-}"

# bench_run LABEL VARIANT MODE: boot, run the guest script, keep its lines.
boots=0
bench_run() {
	boots=$((boots + 1))
	local label=$1 v=$2 mode=$3 status=0 smp=2 icount=0 initramfs=0 args
	local mods
	mods="$(build_dir "$v" bench "")/mm/dmapool_test.ko $(build_dir "$v" bench "")/mm/bench/dmapool_bench.ko"
	args=$KERNEL_ARGS
	# Instruction mode: one vCPU, and no 9p (the host answers it when it
	# gets to it): the guest runs from an initramfs, unpacked in line.
	# No address space randomisation, and a fixed hash seed for python
	# (the kernel hands unknown name=value parameters to init's
	# environment).
	[ "$mode" = icount ] && smp=1 icount=1 initramfs=1 \
		args="$args initramfs_async=0 norandmaps PYTHONHASHSEED=0"
	# No xHCI controller: the benchmarks bring their own devices, and its
	# probing made two boots differ. Every boot runs under the same run
	# name: the command line holds the path of the command file, and the
	# kernel mixes its command line into the random number generator, so
	# two names would give stock and ours different random numbers (DAMON
	# splits regions at random points).
	XHCI=0 SMP=$smp ICOUNT=$icount INITRAMFS=$initramfs INITRAMFS_FILES=$mods \
		KERNEL_ARGS=$args QUIET=1 TIMEOUT=1200 \
		"$REPO/harness/vm.sh" "$v" bench "" bench-boot \
		harness/guest/bench.sh "$mode" >/dev/null || status=$?
	rm -rf "$CACHE/runs/bench-$label"
	mv "$CACHE/runs/bench-boot" "$CACHE/runs/bench-$label"
	[ "$status" = 0 ] || die "benchmark boot $label failed ($status): $CACHE/runs/bench-$label"
	tr -d '\r' <"$CACHE/runs/bench-$label/output.log" | grep '^bench: ' |
		sed "s/^bench: /$label $mode $boots /" >>"$outdir/raw.txt"
}

echo "bench: instruction mode (-icount shift=0, 1 vCPU)"
bench_run stock stock icount
bench_run ours "$ours" icount
echo "bench: wall mode (MTTCG, 2 vCPUs), $runs boots each, alternating"
# Stock, ours, ours, stock, ...: a host that slows down or speeds up during
# the runs does not favour the kernel that always boots first.
for i in $(seq 1 "$runs"); do
	if [ $((i % 2)) = 1 ]; then
		bench_run stock stock wall
		bench_run ours "$ours" wall
	else
		bench_run ours "$ours" wall
		bench_run stock stock wall
	fi
done

python3 "$REPO/harness/bench_report.py" "$outdir/raw.txt" "$outdir" \
	"$(cat "$PRISTINE/.harness-version")" "$ours" "$stamp"
# The checked-in results are ours against stock; a fairness run stays in
# .cache/bench.
[ "$ours" = ours ] || exit 0
mkdir -p "$REPO/docs/bench"
cp "$outdir/results.md" "$REPO/docs/bench/results.md"
[ ! -f "$outdir/ratios.png" ] || cp "$outdir/ratios.png" "$REPO/docs/bench/ratios.png"
