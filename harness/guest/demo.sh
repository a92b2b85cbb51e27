#!/bin/bash
# The demonstration that "make run" boots into: what each of the five parts
# does, shown through the files a person would use.
set -u

title() {
	printf '\n=== %s ===\n' "$*"
}

show_area() {
	local d=$1 f
	for f in base_pfn count order_per_bit used maxchunk; do
		printf '  %-14s %s\n' "$f" "$(cat "$d/$f")"
	done
}

show_counters() {
	local d=/sys/kernel/mm/cma/$1 f
	for f in "$d"/*; do
		printf '  %-22s %s\n' "$(basename "$f")" "$(cat "$f")"
	done
}

echo "kernel: $(uname -r) ($HARNESS_VARIANT/$HARNESS_CONFIG), $(nproc) CPUs"
echo "command line: $(cat /proc/cmdline | sed 's/ HARNESS_.*//')"

title "CMA: areas reserved at boot (/proc/meminfo)"
grep -E '^Cma' /proc/meminfo
for d in /sys/kernel/debug/cma/*/; do
	area=$(basename "$d")
	title "CMA area '$area': /sys/kernel/debug/cma/$area"
	show_area "$d"
	echo "  statistics in /sys/kernel/mm/cma/$area:"
	show_counters "$area"
done

area=$(basename "$(ls -d /sys/kernel/debug/cma/*/ | head -n 1)")
d=/sys/kernel/debug/cma/$area
title "CMA: allocate 1024 pages (4 MiB) from '$area' through debugfs"
echo 1024 >"$d/alloc" && echo "  echo 1024 > alloc: done"
show_area "$d"
grep -E '^CmaFree' /proc/meminfo
title "CMA: release them again"
echo 1024 >"$d/free" && echo "  echo 1024 > free: done"
show_area "$d"
grep -E '^CmaFree' /proc/meminfo
echo "  statistics after one allocation and one release:"
show_counters "$area"

title "dmapool: the pools of each device (/sys/devices/.../pools)"
found=0
for f in $(find /sys/devices -name pools 2>/dev/null); do
	found=1
	echo "$f:"
	sed 's/^/  /' "$f"
done
[ "$found" = 1 ] || echo "  no device has a dma pool"

title "DAMON: monitor a process's accesses through /sys/kernel/mm/damon/admin"
# A workload: 64 MiB mapped, of which only the first 8 MiB stay hot.
python3 -c '
import mmap, time
m = mmap.mmap(-1, 64 << 20)
for i in range(0, 64 << 20, 4096):
    m[i] = 1
end = time.time() + 30
while time.time() < end:
    for i in range(0, 8 << 20, 4096):
        m[i] = 2
' &
wl=$!
sleep 1
a=/sys/kernel/mm/damon/admin/kdamonds
echo 1 >$a/nr_kdamonds
k=$a/0
echo 1 >$k/contexts/nr_contexts
c=$k/contexts/0
echo vaddr >$c/operations
echo 5000 >$c/monitoring_attrs/intervals/sample_us
echo 100000 >$c/monitoring_attrs/intervals/aggr_us
echo 1 >$c/targets/nr_targets
echo $wl >$c/targets/0/pid_target
echo 1 >$c/schemes/nr_schemes
echo stat >$c/schemes/0/action
# A new scheme matches nothing; open its access pattern to every region.
p=$c/schemes/0/access_pattern
echo 18446744073709551615 >$p/sz/max
echo 4294967295 >$p/nr_accesses/max
echo 4294967295 >$p/age/max
echo "  workload pid $wl; kdamond: vaddr, sample 5 ms, aggregate 100 ms; scheme: stat"
echo on >$k/state
echo "  state: $(cat $k/state), kdamond pid $(cat $k/pid)"
sleep 3
echo update_schemes_tried_regions >$k/state
r=$c/schemes/0/tried_regions
echo "  regions DAMON found (accesses per 100 ms, age in aggregations):"
printf '  %-16s %-16s %8s %8s %5s\n' start end size_KiB accesses age
for t in $(ls $r | grep -E '^[0-9]+$' | sort -n); do
	s=$(cat $r/$t/start)
	e=$(cat $r/$t/end)
	printf '  %-16x %-16x %8d %8s %5s\n' "$s" "$e" $(((e - s) / 1024)) \
		"$(cat $r/$t/nr_accesses)" "$(cat $r/$t/age)"
done
echo off >$k/state
kill $wl
wait 2>/dev/null
echo
echo "demo: done"
