#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every state command in every state, and what turning on checks.

Off (never on, or stopped): only on (and off, which then fails) act; the
other commands fail with EINVAL, unknown words too.  On: every command
succeeds, on again is EBUSY, the layout of kdamonds is frozen (EBUSY).
Turning on refuses each wrong configuration with its own error and leaves
the kdamond off; a wrong commit is refused and the kdamond keeps running.
The regressions 6.12 fixed one by one: nr_contexts 0 while running then a
command; a target that exits during update_schemes_tried_regions.  A
tried-regions update reports one whole apply round even when the kdamond
runs behind its intervals.
"""
import errno
import os
import time

from _damon_ours import (KDAMONDS, Failure, context, expect_eq, expect_error,
                         kdamond, must_write, paddr_range, read, reap, run,
                         setup, sleeper, write)

STATE = kdamond() + '/state'
QUERIES = ['update_schemes_stats', 'update_schemes_tried_bytes',
           'update_schemes_tried_regions', 'clear_schemes_tried_regions',
           'update_schemes_effective_quotas', 'commit_schemes_quota_goals',
           'commit']


def test_commands_when_off():
    setup()
    for cmd in QUERIES:
        expect_error(STATE, cmd, errno.EINVAL)
    # off when never on
    if write(STATE, 'off') == 0:
        raise Failure('off succeeded on a kdamond never turned on')
    must_write(kdamond() + '/contexts/nr_contexts', 0)
    expect_error(STATE, 'on', errno.EINVAL)
    expect_eq('state', read(STATE), 'off')


def test_commands_when_on():
    pid = sleeper()
    try:
        setup(pids=[pid], nr_schemes=1)
        must_write(STATE, 'on')
        expect_eq('state', read(STATE), 'on')
        if int(read(kdamond() + '/pid')) <= 0:
            raise Failure('pid of a running kdamond is %s'
                          % read(kdamond() + '/pid'))
        for cmd in QUERIES:
            must_write(STATE, cmd)
        expect_error(STATE, 'on', errno.EBUSY)
        expect_error(STATE, 'bogus', errno.EINVAL)
        expect_error(KDAMONDS + '/nr_kdamonds', 2, errno.EBUSY)
        expect_error(KDAMONDS + '/nr_kdamonds', 0, errno.EBUSY)
        must_write(STATE, 'off')
        expect_eq('state', read(STATE), 'off')
        expect_eq('pid', read(kdamond() + '/pid'), '-1')
        for cmd in QUERIES:
            expect_error(STATE, cmd, errno.EINVAL)
        # results of the stopped kdamond stay readable, on works again
        read(context() + '/schemes/0/stats/nr_tried')
        must_write(STATE, 'on')
        must_write(STATE, 'off')
    finally:
        reap(pid)


def test_on_checks():
    pid = sleeper()
    dead = sleeper()
    reap(dead)
    ctx = context()
    try:
        setup(pids=[dead])
        expect_error(STATE, 'on', errno.ESRCH)
        setup(pids=[pid], regions=[(8192, 16384), (4096, 8192)])
        expect_error(STATE, 'on', errno.EINVAL)
        setup(pids=[pid], regions=[(4096, 12288), (8192, 16384)])
        expect_error(STATE, 'on', errno.EINVAL)
        setup(pids=[pid], regions=[(4096, 4096)])
        expect_error(STATE, 'on', errno.EINVAL)
        setup(ops='paddr', pids=[0, 0])
        expect_error(STATE, 'on', errno.EINVAL)
        setup(pids=[pid])
        must_write(ctx + '/monitoring_attrs/nr_regions/min', 2000)
        expect_error(STATE, 'on', errno.EINVAL)
        setup(pids=[pid], sample_us=200000, aggr_us=100000)
        expect_error(STATE, 'on', errno.EINVAL)
        expect_eq('state after refused on', read(STATE), 'off')
        # a quota goal without a target value is left out, as in 6.12
        setup(pids=[pid], nr_schemes=1)
        goals = ctx + '/schemes/0/quotas/goals'
        must_write(goals + '/nr_goals', 1)
        must_write(goals + '/0/target_value', 0)
        must_write(STATE, 'on')
        must_write(STATE, 'commit_schemes_quota_goals')
        must_write(STATE, 'off')
    finally:
        reap(pid)


def test_commit():
    pid = sleeper()
    ctx = context()
    try:
        setup(pids=[pid], regions=[(4096, 8192)], nr_schemes=1)
        must_write(STATE, 'on')
        must_write(ctx + '/monitoring_attrs/intervals/aggr_us', 200000)
        must_write(STATE, 'commit')
        # a wrong input is refused before it reaches the kdamond
        must_write(ctx + '/targets/0/regions/0/end', 1024)
        expect_error(STATE, 'commit', errno.EINVAL)
        expect_eq('state after refused commit', read(STATE), 'on')
        must_write(ctx + '/targets/0/regions/0/end', 8192)
        must_write(ctx + '/schemes/0/quotas/goals/nr_goals', 1)
        must_write(ctx + '/schemes/0/quotas/goals/0/target_value', 10)
        must_write(STATE, 'commit_schemes_quota_goals')
        must_write(STATE, 'commit')
        expect_eq('state', read(STATE), 'on')
        must_write(STATE, 'off')
    finally:
        reap(pid)


def test_nr_contexts_zero_while_running():
    pid = sleeper()
    try:
        setup(pids=[pid], nr_schemes=1)
        must_write(STATE, 'on')
        must_write(kdamond() + '/contexts/nr_contexts', 0)
        for cmd in QUERIES + ['on']:
            expect_error(STATE, cmd, errno.EINVAL)
        expect_eq('state', read(STATE), 'on')
        must_write(kdamond() + '/contexts/nr_contexts', 1)
        must_write(context() + '/schemes/nr_schemes', 2)
        for cmd in QUERIES[:-1]:
            must_write(STATE, cmd)
        must_write(STATE, 'off')
    finally:
        reap(pid)


def test_tried_regions_results():
    start, end = paddr_range()
    setup(ops='paddr', pids=[0], regions=[(start, end)], nr_schemes=1,
          aggr_us=50000)
    must_write(STATE, 'on')
    try:
        must_write(STATE, 'update_schemes_tried_regions')
        tried = context() + '/schemes/0/tried_regions'
        regions = [d for d in os.listdir(tried) if d.isdigit()]
        if not regions:
            raise Failure('no tried region after an update')
        total = sum(int(read('%s/%s/end' % (tried, r))) -
                    int(read('%s/%s/start' % (tried, r))) for r in regions)
        expect_eq('total_bytes', int(read(tried + '/total_bytes')), total)
        must_write(STATE, 'clear_schemes_tried_regions')
        expect_eq('regions after clear',
                  [d for d in os.listdir(tried) if d.isdigit()], [])
        must_write(STATE, 'update_schemes_tried_bytes')
        expect_eq('total_bytes', int(read(tried + '/total_bytes')),
                  end - start)
    finally:
        must_write(STATE, 'off')


def test_tried_regions_behind_intervals():
    # 1 us sampling: every sample takes longer than its interval, so the
    # kdamond falls behind wall time at once.  An update still waits for
    # the scheme's next apply round, and that round tries every region.
    start, end = paddr_range()
    setup(ops='paddr', pids=[0], regions=[(start, end)], nr_schemes=1,
          sample_us=1, aggr_us=1000)
    tried = context() + '/schemes/0/tried_regions'
    must_write(STATE, 'on')
    try:
        for _ in range(5):
            must_write(STATE, 'update_schemes_tried_bytes')
            expect_eq('total_bytes', int(read(tried + '/total_bytes')),
                      end - start)
    finally:
        must_write(STATE, 'off')


def test_target_exits_during_tried_regions():
    for _ in range(5):
        pid = sleeper(1)
        setup(pids=[pid], nr_schemes=1)
        must_write(STATE, 'on')
        deadline = time.monotonic() + 10
        while read(STATE) == 'on':
            if time.monotonic() > deadline:
                raise Failure('kdamond still on 10 s after its target died')
            t0 = time.monotonic()
            err = write(STATE, 'update_schemes_tried_regions')
            if time.monotonic() - t0 > 5:
                raise Failure('update_schemes_tried_regions took %.1f s'
                              % (time.monotonic() - t0))
            if err not in (0, errno.EINVAL):
                raise Failure('update_schemes_tried_regions: errno %d' % err)
            if pid and os.waitpid(pid, os.WNOHANG)[0]:
                pid = 0
        if pid:
            reap(pid)


if __name__ == '__main__':
    run([test_commands_when_off, test_commands_when_on, test_on_checks,
         test_commit, test_nr_contexts_zero_while_running,
         test_tried_regions_results, test_tried_regions_behind_intervals,
         test_target_exits_during_tried_regions])
