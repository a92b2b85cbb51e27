#!/bin/bash
# bench.sh MODE MODULES: run the benchmarks in the guest and print one
# "bench: CASE METRIC VALUE" line per measurement. MODE is icount (one
# vCPU, guest nanoseconds are instructions) or wall (two vCPUs, MTTCG).
# MODULES is the folder with the benchmark modules built for this kernel.
set -u
mode=$1 mods=$2

# mm/dmapool_test.ko (upstream): "dmapool test: size:16 align:16 blocks:8192 time:N"
# with N in microseconds for 100 rounds of blocks alloc+free pairs.
dmapool_test() {
	dmesg -C
	insmod "$HARNESS_BUILD/mm/dmapool_test.ko" || return
	rmmod dmapool_test
	dmesg | sed -n 's/.*dmapool test: size:\([0-9]*\) *align:\([0-9]*\) *blocks:\([0-9]*\) *time:\([0-9]*\).*/\1 \2 \3 \4/p' |
		while read -r size align blocks us; do
			# 1000 guest ns per us, 100 rounds: ns per pair.
			echo "bench: dmapool_test/size=$size,align=$align ns_per_pair" \
				"$(awk -v us="$us" -v b="$blocks" 'BEGIN { printf "%.2f", us * 1000 / (100 * b) }')"
		done
}

# mm/bench/dmapool_bench.ko: "dmapool_bench: size=S threads=T pairs=P ns=N"
dmapool_bench() {
	local threads=$1 line
	dmesg -C
	insmod "$mods/dmapool_bench.ko" threads="$threads" size=64 2>/dev/null
	line=$(dmesg | grep -o 'dmapool_bench: size=.*')
	[ -n "$line" ] || { echo "bench: error dmapool_bench threads=$threads"; return; }
	echo "$line" | awk -v t="$threads" '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "bench: dmapool_bench/threads=%s,size=64 mpairs_per_s %.3f\n", t, v["pairs"] * 1000 / v["ns"]
	}'
}

case $mode in
icount)
	dmapool_test
	dmapool_bench 1
	python3 harness/guest/damon_bench.py
	;;
wall)
	dmapool_bench 2
	dmapool_bench 1
	;;
*)
	echo "bench: error unknown mode $mode"
	exit 2
	;;
esac
