#!/usr/bin/env python3
"""DAMON sysfs latency benchmark, run as root in the guest.

Prints "bench: damon/CASE us VALUE" lines (the median of the repeats):
  - every state command on a running kdamond (vaddr, one target: a child
    process with 32 MiB touched, one stat scheme matching everything),
    written back to back, then after seeded random gaps;
  - the tried-regions updates written at 20 phases across the apply
    interval (their wait, and the median as a fraction of the interval);
  - building N regions in one target, or N targets, and turning it on.
Works on any 6.12 kernel with DAMON_SYSFS: it uses only the ABI files.
"""
import mmap
import os
import random
import signal
import statistics
import sys
import time

ADMIN = '/sys/kernel/mm/damon/admin'
REPEATS = int(os.environ.get('DAMON_BENCH_REPEATS', '10'))
COMMANDS = ['commit', 'update_schemes_stats', 'update_schemes_tried_bytes',
            'update_schemes_tried_regions', 'clear_schemes_tried_regions',
            'update_schemes_effective_quotas', 'commit_schemes_quota_goals']


def write(path, value):
    with open(os.path.join(ADMIN, path), 'w') as f:
        f.write(str(value))


def timed_write(path, value):
    t0 = time.perf_counter_ns()
    write(path, value)
    return (time.perf_counter_ns() - t0) / 1000


def workload():
    pid = os.fork()
    if pid == 0:
        m = mmap.mmap(-1, 32 << 20)
        while True:
            for i in range(0, 32 << 20, 4096):
                m[i] = 1
            time.sleep(0.01)
    return pid


def setup(nr_targets, nr_regions, pid):
    k = 'kdamonds/0'
    c = k + '/contexts/0'
    write('kdamonds/nr_kdamonds', 1)
    write(k + '/contexts/nr_contexts', 1)
    write(c + '/operations', 'vaddr')
    write(c + '/monitoring_attrs/intervals/sample_us', 5000)
    write(c + '/monitoring_attrs/intervals/aggr_us', 100000)
    write(c + '/monitoring_attrs/nr_regions/min', 10)
    write(c + '/monitoring_attrs/nr_regions/max', max(1000, nr_regions))
    write(c + '/targets/nr_targets', nr_targets)
    for t in range(nr_targets):
        write(f'{c}/targets/{t}/pid_target', pid)
        if nr_regions:
            write(f'{c}/targets/{t}/regions/nr_regions', nr_regions)
            for r in range(nr_regions):
                start = 0x10000000 + r * 0x100000
                write(f'{c}/targets/{t}/regions/{r}/start', start)
                write(f'{c}/targets/{t}/regions/{r}/end', start + 0x80000)
    write(c + '/schemes/nr_schemes', 1)
    s = c + '/schemes/0'
    write(s + '/action', 'stat')
    write(s + '/access_pattern/sz/max', 2**64 - 1)
    write(s + '/access_pattern/nr_accesses/max', 2**32 - 1)
    write(s + '/access_pattern/age/max', 2**32 - 1)


def report(case, samples):
    print(f'bench: damon/{case} us {statistics.median(samples):.0f}', flush=True)


def build_and_on(nr_targets, nr_regions, pid, label):
    t0 = time.perf_counter_ns()
    setup(nr_targets, nr_regions, pid)
    on = timed_write('kdamonds/0/state', 'on')
    total = (time.perf_counter_ns() - t0) / 1000
    write('kdamonds/0/state', 'off')
    write('kdamonds/nr_kdamonds', 0)
    return label, total, on


def tried_regions_sweep():
    """A tried-regions command waits for the scheme's next application.
    Written back to back, the answer comes one application after the last
    one: the median of those is the apply interval the kdamond lives (the
    aggregation interval plus what sampling costs).  An answer comes right
    after an application, so writing one and then sleeping k/20 of that
    interval lands the next command at phase k/20 of it; over the 20
    phases its wait ranges from a whole interval (phase 0) down to a
    twentieth, and the median is about 0.53 of an interval when a command
    rides the next application, 1.03 when it waits for the one after."""
    state = 'kdamonds/0/state'
    interval = statistics.median(
        timed_write(state, 'update_schemes_tried_bytes') for _ in range(5))
    for cmd in ('update_schemes_tried_bytes', 'update_schemes_tried_regions'):
        samples = []
        for k in range(20):
            write(state, 'update_schemes_tried_bytes')
            time.sleep(k / 20 * interval / 1e6)
            samples.append(timed_write(state, cmd))
        report(f'state={cmd},sweep20', samples)
        print(f'bench: damon/state={cmd},sweep20 per_apply_interval '
              f'{statistics.median(samples) / interval:.3f}', flush=True)


def main():
    pid = workload()
    try:
        setup(1, 0, pid)
        ons, offs = [], []
        for _ in range(REPEATS):
            ons.append(timed_write('kdamonds/0/state', 'on'))
            time.sleep(0.2)
            offs.append(timed_write('kdamonds/0/state', 'off'))
        report('state=on', ons)
        report('state=off', offs)
        write('kdamonds/0/state', 'on')
        time.sleep(0.5)
        for cmd in COMMANDS:
            samples = []
            for _ in range(REPEATS):
                samples.append(timed_write('kdamonds/0/state', cmd))
            report(f'state={cmd}', samples)
        # Back to back, a command lands at the same point of the kdamond's
        # cycle as its predecessor finished; a user's lands anywhere. The
        # same seeded gaps (0-200 ms) on both kernels sample that.
        rng = random.Random(1)
        for cmd in COMMANDS:
            samples = []
            for _ in range(REPEATS):
                time.sleep(rng.uniform(0, 0.2))
                samples.append(timed_write('kdamonds/0/state', cmd))
            report(f'state={cmd},random_gap', samples)
        tried_regions_sweep()
        write('kdamonds/0/state', 'off')
        write('kdamonds/nr_kdamonds', 0)
        # Building is a series of writes, no kdamond runs until the end:
        # the workload's bursts would only decide how many of them fall
        # into the measurement. Stopped, its pid still makes a live target.
        os.kill(pid, signal.SIGSTOP)
        for targets, regions, label in ((1, 1000, 'build_1000_regions_on'),
                                        (100, 0, 'build_100_targets_on')):
            runs = [build_and_on(targets, regions, pid, label)[1]
                    for _ in range(max(1, REPEATS // 5))]
            report(label, runs)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return 0


if __name__ == '__main__':
    sys.exit(main())
