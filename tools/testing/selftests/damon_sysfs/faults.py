#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Allocation failures under every layout write and under state on.

For each operation, fail its 1st, 2nd, ... allocation (failslab through
/proc/thread-self/fail-nth, GFP_KERNEL allocations included) until it
succeeds without a fault.  After each try the writer got an error or
success, and the tree is either the old one or the complete new one.  The
harness's closing kmemleak scan and splat check see every unwind.  Needs
CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB (the debug kernel); skips
otherwise.
"""
import os

from _damon_ours import (KDAMONDS, Failure, context, kdamond, ksft_mm,
                         must_write, read, reap, run, setup, sleeper)

MAX_FAULTS = 2000
injected_total = 0
enable_failslab = ksft_mm.failslab_setup
faulted_write = ksft_mm.fail_nth_write


def numbered(path):
    return sorted(int(n) for n in os.listdir(path) if n.isdigit())


def check_count(nr_file, want):
    parent = os.path.dirname(nr_file)
    n = int(read(nr_file))
    if n != want or numbered(parent) != list(range(want)):
        raise Failure('%s: nr %d, dirs %r, expected %d' % (
            nr_file, n, numbered(parent), want))


def sweep(name, prepare, path, value, check_old, check_new):
    """Fail allocation 1, 2, ... of writing value to path."""
    global injected_total

    def attempt(nth):
        prepare()
        err, injected = faulted_write(path, value, nth)
        if err:
            if not injected:
                raise Failure('%s: errno %d without a fault' % (name, err))
            check_old()
        else:
            check_new()
        return injected
    injected_total += ksft_mm.fail_nth_sweep(name, attempt, MAX_FAULTS)


def grow_test(name, nr_file, old, new, prepare):
    sweep(name, prepare, nr_file, new,
          lambda: check_count(nr_file, old), lambda: check_count(nr_file, new))


def test_nr_kdamonds():
    enable_failslab()

    def prepare():
        setup()
        must_write(KDAMONDS + '/nr_kdamonds', 1)
    grow_test('nr_kdamonds 1->3', KDAMONDS + '/nr_kdamonds', 1, 3, prepare)


def test_nr_contexts():
    enable_failslab()

    def prepare():
        setup()
        must_write(kdamond() + '/contexts/nr_contexts', 0)
    grow_test('nr_contexts 0->1', kdamond() + '/contexts/nr_contexts', 0, 1,
              prepare)


def test_nr_targets():
    enable_failslab()
    nr = context() + '/targets/nr_targets'
    grow_test('nr_targets 1->4', nr, 1, 4, lambda: setup(pids=[1]))


def test_nr_regions():
    enable_failslab()
    nr = context() + '/targets/0/regions/nr_regions'
    grow_test('nr_regions 2->40', nr, 2, 40,
              lambda: setup(pids=[1], regions=[(4096, 8192), (8192, 12288)]))


def test_large_counts():
    """A large growth failing early, half way and late unwinds it all."""
    global injected_total
    enable_failslab()
    nr = context() + '/targets/0/regions/nr_regions'
    faults = 0
    for nth in (1, 2, 64, 1024, 8192):
        setup(pids=[1], regions=[(4096, 8192), (8192, 12288)])
        err, injected = faulted_write(nr, 8192, nth)
        if not injected:
            raise Failure('nr_regions 8192 met fewer than %d allocations'
                          % nth)
        faults += 1
        check_count(nr, 8192 if not err else 2)
    print('# nr_regions 2->8192: %d faults, each unwound' % faults)
    injected_total += faults


def test_state_on():
    enable_failslab()
    pid = sleeper()
    state = kdamond() + '/state'

    def prepare():
        if read(state) == 'on':
            must_write(state, 'off')
        setup(pids=[pid], regions=[(4096, 8192), (65536, 131072)],
              nr_schemes=1)

    def is_off():
        if read(state) != 'off':
            raise Failure('on failed but the kdamond runs')

    def is_on():
        if read(state) != 'on':
            raise Failure('on succeeded but the kdamond is off')
    try:
        sweep('state on', prepare, state, 'on', is_off, is_on)
        must_write(state, 'off')
    finally:
        reap(pid)


def test_commit():
    enable_failslab()
    pid = sleeper()
    state = kdamond() + '/state'

    def prepare():
        if read(state) != 'on':
            setup(pids=[pid], nr_schemes=1)
            must_write(state, 'on')

    def running():
        pass
    try:
        sweep('state commit', prepare, state, 'commit', running, running)
        if read(state) == 'on':
            must_write(state, 'off')
    finally:
        reap(pid)
    print('# %d faults injected in all' % injected_total)


if __name__ == '__main__':
    run([test_nr_kdamonds, test_nr_contexts, test_nr_targets,
         test_nr_regions, test_large_counts, test_state_on, test_commit],
        requires=ksft_mm.failslab_missing)
