#!/bin/bash
# bench.sh MODE: run the benchmarks in the guest and print one
# "bench: CASE METRIC VALUE" line per measurement. MODE is icount (one
# vCPU, guest nanoseconds are instructions) or wall (two vCPUs, MTTCG).
# The kernel is booted with a 64 MiB "reserved" CMA area and, on two fake
# NUMA nodes, the areas "pernuma0" and "pernuma1" (harness/bench.sh).
set -u
mode=$1
ko=$HARNESS_BUILD/mm
trace=/sys/kernel/tracing

# mm/dmapool_test.ko (upstream): "dmapool test: size:16 align:16 blocks:8192 time:N"
# with N in microseconds for 100 rounds of blocks alloc+free pairs.
dmapool_test() {
	dmesg -C
	insmod "$ko/dmapool_test.ko" || return
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
	insmod "$ko/bench/dmapool_bench.ko" threads="$threads" size=64 2>/dev/null
	line=$(dmesg | grep -o 'dmapool_bench: size=.*')
	[ -n "$line" ] || { echo "bench: error dmapool_bench threads=$threads"; return; }
	echo "$line" | awk -v t="$threads" '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "bench: dmapool_bench/threads=%s,size=64 mpairs_per_s %.3f\n", t, v["pairs"] * 1000 / v["ns"]
	}'
}

# One command to the built-in CMA benchmark (mm/bench/cma_bench.c); its
# result lines ("cma_bench: case=... key=value ...") come back as they are.
cma_bench() {
	dmesg -C
	echo "$*" >/sys/kernel/debug/cma_bench/run ||
		{ echo "bench: error cma_bench '$*'"; return 1; }
	dmesg | grep -o 'cma_bench: case=.*'
}

kv() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

cma_idle() {
	cma_bench idle reserved | while read -r _ line; do
		echo "bench: cma/idle_pages=$(kv "$line" pages),align=$(kv "$line" align) ns $(kv "$line" ns)"
	done
}

# A page that cannot move in the way: the time of the request and the
# number of attempts, counted by the cma_alloc_busy_retry tracepoint.
cma_busy() {
	local offset=$1 pages=$2 line attempts
	echo 1 >"$trace/events/cma/cma_alloc_busy_retry/enable"
	: >"$trace/trace"
	line=$(cma_bench busy reserved "$offset" "$pages") || return
	attempts=$(grep -c cma_alloc_busy_retry "$trace/trace")
	echo 0 >"$trace/events/cma/cma_alloc_busy_retry/enable"
	echo "bench: cma/busy_offset=$offset,pages=$pages,$(kv "$line" result) ns $(kv "$line" ns)"
	echo "bench: cma/busy_offset=$offset,pages=$pages,$(kv "$line" result) attempts $attempts"
}

# Movable pages in the area: fill all memory but the CMA areas with one
# process, then let a second one allocate (its pages can only come from
# CMA), free the first, and allocate the whole "reserved" area.
cma_migrate() {
	local line
	python3 - <<'PY' &
import mmap, os, signal, time
def meminfo(key):
    for l in open('/proc/meminfo'):
        if l.startswith(key + ':'):
            return int(l.split()[1]) << 10
def fill(size):
    m = mmap.mmap(-1, size)
    chunk = b'\1' * (1 << 20)
    for off in range(0, size - (1 << 20) + 1, 1 << 20):
        m[off:off + (1 << 20)] = chunk
    return m
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    m = fill(meminfo('MemFree') - meminfo('CmaFree') - (96 << 20))
    os.write(w, b'x')
    time.sleep(3600)
os.read(r, 1)
m = fill(meminfo('CmaFree') * 3 // 4 & ~((1 << 20) - 1))
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
open('/tmp/filled', 'w').close()
time.sleep(3600)
PY
	local filler=$!
	while [ ! -e /tmp/filled ]; do sleep 0.2; done
	line=$(cma_bench migrate reserved | cut -d' ' -f2-)
	kill "$filler"
	wait "$filler" 2>/dev/null
	rm -f /tmp/filled
	# Per MiB that had to move: how full the area got varies between boots.
	echo "bench: cma/migrate_whole_area ms_per_mib_moved $(awk -v n="$(kv "$line" ns)" -v u="$(kv "$line" used)" 'BEGIN { printf "%.3f", u ? n / 1e6 * 256 / u : 0 }')"
	echo "bench: cma/migrate_whole_area pages_in_use_before $(kv "$line" used)"
}

# 150 rounds of 512 pages: some 80 ms a run, long enough that one host
# scheduling delay does not decide it.
cma_pair() {
	local line
	line=$(cma_bench pair pernuma0 pernuma1 150 | cut -d' ' -f2-) || return
	echo "bench: cma/pair_sequential ms $(awk -v n="$(kv "$line" sequential_ns)" 'BEGIN { printf "%.3f", n / 1e6 }')"
	echo "bench: cma/pair_concurrent ms $(awk -v n="$(kv "$line" concurrent_ns)" 'BEGIN { printf "%.3f", n / 1e6 }')"
}

# What 1000 one-page requests cost the other CPUs: IPIs sent
# (ipi_send_cpu, ipi_send_cpumask) and work items queued
# (workqueue_queue_work) while they run, minus those of the same time
# spent asleep in the same write ("quiet"). Tracing is on only around
# the write, a shell builtin, so no process of ours adds events. Two
# vCPUs: wall mode only.
cross_cpu_events="ipi/ipi_send_cpu ipi/ipi_send_cpumask workqueue/workqueue_queue_work"

cross_cpu_trace() {
	local e
	for e in $cross_cpu_events; do
		echo "$1" >"$trace/events/$e/enable" || return 1
	done
}

# cross_cpu_events_of CMD: events traced while CMD is written to the
# benchmark's run file.
cross_cpu_events_of() {
	: >"$trace/trace"
	echo 1 >"$trace/tracing_on"
	echo "$1" >/sys/kernel/debug/cma_bench/run
	echo 0 >"$trace/tracing_on"
	grep -c -E ' (ipi_send_cpu|ipi_send_cpumask|workqueue_queue_work):' "$trace/trace"
}

cma_cross_cpu() {
	local busy idle ns
	cross_cpu_trace 1 || { echo "bench: error cross_cpu tracepoints"; return 1; }
	dmesg -C
	busy=$(cross_cpu_events_of "small reserved 1000")
	ns=$(dmesg | grep -o 'cma_bench: case=small.*' | sed -n 's/.* ns=//p')
	idle=$(cross_cpu_events_of "quiet reserved ${ns:-0}")
	cross_cpu_trace 0
	echo 1 >"$trace/tracing_on"
	echo "bench: cma/small_1000_pages=1 cross_cpu $((busy > idle ? busy - idle : 0))"
}

# wall_case FUNCTION ARGS...: under MTTCG a case's first run in a boot also
# pays for translating its code, and one host hiccup can double a run.
# Run it once untimed, then WALL_REPEATS (3) times; bench_report.py takes
# the median of each boot's runs.
wall_case() {
	"$@" >/dev/null
	for _ in $(seq 1 "${WALL_REPEATS:-3}"); do
		"$@"
	done
}

case $mode in
icount)
	dmapool_test
	dmapool_bench 1
	cma_idle
	cma_busy 100 512
	cma_busy 11776 11777
	cma_migrate
	python3 harness/guest/damon_bench.py
	;;
wall)
	wall_case dmapool_bench 2
	wall_case dmapool_bench 1
	wall_case cma_pair
	wall_case cma_cross_cpu
	;;
*)
	echo "bench: error unknown mode $mode"
	exit 2
	;;
esac
