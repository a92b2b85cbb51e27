#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kdamonds/<K>/refresh_ms: the running kdamond refreshes the schemes'
stats and effective quotas by itself every refresh_ms, with no command
written; 0 (the default) stops that; malformed values are refused with
EINVAL, values past UINT_MAX with ERANGE, and leave the file as it was.
"""
import errno
import os
import time

from _damon_ours import (Failure, context, expect_eq, expect_error, kdamond,
                         must_write, read, reap, run, setup, sleeper, write)

REFRESH = kdamond() + '/refresh_ms'
CHANGE_SECONDS = 5


def nr_tried():
    return int(read(context() + '/schemes/0/stats/nr_tried'))


def kdamond_report():
    """What the kdamond and the scheme's stats look like, for a failure."""
    lines = []
    stats = context() + '/schemes/0/stats'
    for f in sorted(os.listdir(stats)):
        lines.append('%s=%s' % (f, read(stats + '/' + f)))
    pid = read(kdamond() + '/pid')
    lines.append('kdamond pid %s' % pid)
    for f in ('stat', 'wchan', 'stack'):
        try:
            with open('/proc/%s/%s' % (pid, f)) as fh:
                lines.append('%s: %s' % (f, fh.read().strip()))
        except OSError as e:
            lines.append('%s: %s' % (f, e))
    return '\n# '.join(lines)


def changes_within(seconds):
    """Whether nr_tried changes within seconds, polling every 20 ms."""
    first = nr_tried()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if nr_tried() != first:
            return True
        time.sleep(0.02)
    return False


def test_refresh():
    pid = sleeper()
    try:
        setup(pids=[pid], nr_schemes=1)
        expect_eq('refresh_ms default', read(REFRESH), '0')
        must_write(kdamond() + '/state', 'on')
        # without refresh_ms and commands the stats files stay put
        if changes_within(0.5):
            raise Failure('nr_tried changed with refresh_ms 0')
        must_write(REFRESH, 100)
        expect_eq('refresh_ms', read(REFRESH), '100')
        # nr_tried moves once per scheme application: on a slow (debug,
        # emulated) kernel an aggregation can take longer than a second.
        for _ in range(3):
            if not changes_within(CHANGE_SECONDS):
                raise Failure('nr_tried did not change within %d s with '
                              'refresh_ms 100\n# %s' %
                              (CHANGE_SECONDS, kdamond_report()))
        quota = context() + '/schemes/0/quotas/effective_bytes'
        expect_eq('effective_bytes of a scheme without quota', read(quota),
                  '0')
        must_write(REFRESH, 0)
        time.sleep(0.3)
        if changes_within(1):
            raise Failure('nr_tried still changes after refresh_ms 0')
        # a command still works, and refreshing again resumes
        must_write(kdamond() + '/state', 'update_schemes_stats')
        must_write(REFRESH, '0x32')
        if not changes_within(CHANGE_SECONDS):
            raise Failure('nr_tried did not change with refresh_ms 50')
        must_write(kdamond() + '/state', 'off')
        expect_eq('refresh_ms after off', read(REFRESH), '50')
    finally:
        reap(pid)


def test_refresh_vs_layout():
    """Refreshing every millisecond while schemes and contexts come and
    go: the kdamond must never update a directory that is gone (KASAN and
    the harness's splat check watch the debug kernel)."""
    pid = sleeper()
    try:
        setup(pids=[pid], nr_schemes=1)
        must_write(kdamond() + '/state', 'on')
        must_write(REFRESH, 1)
        busy = n = 0
        end = time.monotonic() + 3
        while time.monotonic() < end:
            for nr in (2, 0, 3, 1):
                err = write(context() + '/schemes/nr_schemes', nr)
                # sysfs-schemes.c only tries damon_sysfs_lock
                if err not in (0, errno.EBUSY):
                    raise Failure('nr_schemes %d: %s' % (nr, err))
                busy += err == errno.EBUSY
                n += 1
            must_write(kdamond() + '/contexts/nr_contexts', 0)
            must_write(kdamond() + '/contexts/nr_contexts', 1)
        print('# %d nr_schemes writes, %d met a refresh holding the lock' %
              (n, busy))
        expect_eq('state', read(kdamond() + '/state'), 'on')
        must_write(REFRESH, 0)
        must_write(kdamond() + '/state', 'off')
    finally:
        reap(pid)


def test_refresh_bad_values():
    setup()
    must_write(REFRESH, 250)
    for bad in ('x', '-1', '\n', '1.5', '12ab', '0x'):
        expect_error(REFRESH, bad, errno.EINVAL)
    for big in ('4294967296', '18446744073709551616'):
        expect_error(REFRESH, big, errno.ERANGE)
    expect_eq('refresh_ms after bad values', read(REFRESH), '250')
    must_write(REFRESH, '4294967295')
    expect_eq('refresh_ms', read(REFRESH), '4294967295')
    must_write(REFRESH, '0\n')
    expect_eq('refresh_ms', read(REFRESH), '0')


if __name__ == '__main__':
    run([test_refresh, test_refresh_vs_layout, test_refresh_bad_values])
