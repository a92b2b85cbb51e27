#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Readers of a device's "pools" file against the removal of its last pool.

Removing the file waits for every reader inside its show routine, so the
pool destruction that removes it must not hold a lock the show routine
takes: if it did, both would wait for each other for ever. Reader
processes keep a read in flight (open once, pread from offset 0 in a loop,
reopen when the file has gone) while a writer creates and destroys pools,
one at a time, on the dmapool_selftest device, so that the file comes and
goes with each of them. Everything is bounded by time: a process still
running RUN_SECONDS + GRACE_SECONDS after the start is a hang and fails
the test (it cannot be killed in D state, so it is left behind; meanwhile
the hung task detector, set to HUNG_SECONDS, reports it on the console).
"""

import os
import select
import time

from dmapool_helpers import (POOLS, command, ksft, load_module, pools_lines,
                             set_hung_task_timeout, skip_all, unload_module)

RUN_SECONDS = float(os.environ.get('DMAPOOL_RACE_SECONDS', '8'))
GRACE_SECONDS = 30
HUNG_SECONDS = 10
READERS = 3
CYCLES_PER_WRITE = 10


def reader(deadline, out):
    """Read until the deadline; report 'reads bad opens_failed'."""
    reads = bad = opens_failed = 0
    fd = None
    while time.monotonic() < deadline:
        if fd is None:
            try:
                fd = os.open(POOLS, os.O_RDONLY)
            except OSError:
                opens_failed += 1
                continue
        try:
            data = os.pread(fd, 4096, 0)
        except OSError:
            os.close(fd)
            fd = None
            continue
        reads += 1
        if not data.startswith(b'poolinfo - 0.1\n'):
            bad += 1
    os.write(out, f'{reads} {bad} {opens_failed}'.encode())


def writer(deadline, out):
    """Create and destroy pools until the deadline; report 'cycles err'."""
    cycles = err = 0
    while time.monotonic() < deadline and not err:
        err = command(f'cycle {CYCLES_PER_WRITE}')
        if not err:
            cycles += CYCLES_PER_WRITE
    os.write(out, f'{cycles} {err}'.encode())


def spawn(fn, deadline):
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        try:
            fn(deadline, wfd)
        finally:
            os._exit(0)
    os.close(wfd)
    return pid, rfd


def collect(children, limit):
    """Wait for the children until @limit; returns their reports, stuck."""
    reports = {}
    while children and time.monotonic() < limit:
        ready, _, _ = select.select([rfd for _, rfd in children], [], [], 0.5)
        for pid, rfd in list(children):
            if rfd in ready:
                reports[pid] = os.read(rfd, 64).decode().split()
                os.close(rfd)
                os.waitpid(pid, 0)
                children.remove((pid, rfd))
    return reports, len(children)


def main():
    why = load_module()
    if why:
        skip_all(why)
    ksft.print_header()
    ksft.set_plan(5)
    ksft.test_result(not os.path.exists(POOLS),
                     'no pools file before the first pool')
    old_timeout = set_hung_task_timeout(HUNG_SECONDS)

    start = time.monotonic()
    deadline = start + RUN_SECONDS
    readers = [spawn(reader, deadline) for _ in range(READERS)]
    writer_child = spawn(writer, deadline)
    reports, stuck = collect(readers + [writer_child],
                             deadline + GRACE_SECONDS)
    if old_timeout is not None:
        set_hung_task_timeout(old_timeout)
    if stuck:
        ksft.test_result_fail(f'{stuck} processes still blocked '
                              f'{GRACE_SECONDS} s after the end: a hang')
        ksft.print_cnts()
        ksft.exit_fail()
    ksft.test_result_pass(f'no hang ({time.monotonic() - start:.1f} s)')

    cycles, err = (int(x) for x in reports[writer_child[0]])
    ksft.print_msg(f'{cycles} pools created and destroyed')
    ksft.test_result(cycles > 0 and err == 0,
                     f'writer: {cycles} cycles, error {err}')
    reads = bad = misses = 0
    for pid, _ in readers:
        r, b, m = (int(x) for x in reports[pid])
        reads += r
        bad += b
        misses += m
    ksft.print_msg(f'{reads} reads by {READERS} readers, '
                   f'{misses} opens found no file')
    ksft.test_result(reads > 0 and bad == 0,
                     f'readers: {reads} reads, {bad} malformed')

    # The file follows the pools: one for one pool, none afterwards.
    present = command('hold 1') == 0 and 'kept' in pools_lines()
    gone = command('destroy') == 0 and not os.path.exists(POOLS)
    ksft.test_result(present and gone and unload_module(),
                     'file present with a pool, gone after its destroy')
    ksft.finished()


if __name__ == '__main__':
    main()
