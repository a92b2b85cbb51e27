#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Concurrent writers on the DAMON admin tree, DAMON_RACE_SECONDS each
(default 10).

1. state on/off against state and pid readers and nr_kdamonds writers;
2. nr_contexts and nr_schemes writers against the update_schemes_* and
   commit commands;
3. targets that exit during update_schemes_tried_regions.

Each write succeeds or fails with one of the errors in ALLOWED; reads always give a valid value; the tree is
consistent afterwards.  The harness fails the run on any kernel splat.
"""
import errno
import os
import time

from _damon_ours import (KDAMONDS, Failure, context, kdamond, must_write,
                         read, reap, run, setup, sleeper, write)

SECONDS_TO_RUN = int(os.environ.get('DAMON_RACE_SECONDS', '10'))
# busy layout, kdamond off, directory gone, off when off, target gone
ALLOWED = (0, errno.EBUSY, errno.EINVAL, errno.ENOENT, errno.EPERM,
           errno.ESRCH)


def child(fn, *args):
    """Run fn in a child process until the time is up; its exit status is
    0, or 1 after printing what went wrong."""
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            fn(time.monotonic() + SECONDS_TO_RUN, *args)
            status = 0
        except Exception as e:
            print('# %s: %s' % (fn.__name__, e), flush=True)
        os._exit(status)
    return pid


def join(pids):
    bad = []
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        if status:
            bad.append(pid)
    if bad:
        raise Failure('%d of %d racers failed' % (len(bad), len(pids)))


def checked_write(path, value, counts):
    err = write(path, value)
    if err not in ALLOWED:
        raise Failure('writing %r to %s: errno %d' % (value, path, err))
    counts[err] = counts.get(err, 0) + 1


def toggler(end):
    counts = {}
    while time.monotonic() < end:
        for cmd in ('on', 'update_schemes_stats', 'off'):
            checked_write(kdamond() + '/state', cmd, counts)
    print('# toggler: %d ok, %d refused' % (
        counts.get(0, 0), sum(counts.values()) - counts.get(0, 0)),
        flush=True)


def reader(end):
    n = 0
    while time.monotonic() < end:
        for f in ('state', 'pid'):
            try:
                v = read(kdamond() + '/' + f)
            except FileNotFoundError:
                continue
            except OSError as e:
                raise Failure('reading %s: %s' % (f, e))
            if f == 'state' and v not in ('on', 'off'):
                raise Failure('state read %r' % v)
            if f == 'pid' and int(v) < -1:
                raise Failure('pid read %r' % v)
            n += 1
    print('# reader: %d reads' % n, flush=True)


def resizer(end):
    counts = {}
    while time.monotonic() < end:
        checked_write(KDAMONDS + '/nr_kdamonds', 2, counts)
        checked_write(KDAMONDS + '/nr_kdamonds', 1, counts)
    print('# resizer: %d ok' % counts.get(0, 0), flush=True)


def layout_writer(end, pid):
    counts = {}
    targets = context() + '/targets'
    while time.monotonic() < end:
        checked_write(kdamond() + '/contexts/nr_contexts', 0, counts)
        checked_write(kdamond() + '/contexts/nr_contexts', 1, counts)
        # a commit of the new empty context would stop the kdamond
        checked_write(targets + '/nr_targets', 1, counts)
        checked_write(targets + '/0/pid_target', pid, counts)
        time.sleep(0.01)
        checked_write(context() + '/schemes/nr_schemes', 2, counts)
        checked_write(context() + '/schemes/nr_schemes', 0, counts)
    print('# layout writer: %d ok' % counts.get(0, 0), flush=True)


def commander(end, until_off=False):
    counts = {}
    cmds = ('update_schemes_stats', 'update_schemes_tried_bytes',
            'update_schemes_tried_regions', 'clear_schemes_tried_regions',
            'update_schemes_effective_quotas', 'commit')
    while time.monotonic() < end:
        for cmd in cmds:
            checked_write(kdamond() + '/state', cmd, counts)
        if read(kdamond() + '/state') == 'off':
            if until_off:
                break
            # a commit of an empty target list stops it: start it again
            checked_write(kdamond() + '/state', 'on', counts)
    if not until_off:
        print('# commander: %d ok, %d refused' % (
        counts.get(0, 0), sum(counts.values()) - counts.get(0, 0)),
        flush=True)


# the files that count numbered directories (stats/nr_tried does not)
NR_FILES = ('nr_kdamonds', 'nr_contexts', 'nr_targets', 'nr_regions',
            'nr_schemes', 'nr_filters', 'nr_goals')


def consistent():
    """Every nr_* matches its numbered directories."""
    for root, dirs, files in os.walk('/sys/kernel/mm/damon/admin'):
        for f in files:
            if f in NR_FILES and (f != 'nr_regions' or
                                  os.path.basename(root) == 'regions'):
                n = int(read(os.path.join(root, f)))
                kids = [d for d in dirs if d.isdigit()]
                if len(kids) != n:
                    raise Failure('%s/%s says %d, %d dirs' % (root, f, n,
                                                               len(kids)))


def test_state_race():
    pid = sleeper()
    try:
        setup(pids=[pid], nr_schemes=1)
        join([child(toggler), child(reader), child(reader), child(resizer)])
        consistent()
    finally:
        reap(pid)


def test_layout_vs_commands():
    pid = sleeper()
    try:
        setup(pids=[pid], nr_schemes=1)
        must_write(kdamond() + '/state', 'on')
        join([child(layout_writer, pid), child(commander),
              child(commander)])
        consistent()
        # a commit racing with an empty target list may have stopped it
        if read(kdamond() + '/state') == 'on':
            must_write(kdamond() + '/state', 'off')
    finally:
        reap(pid)


def test_exit_during_tried_regions():
    end = time.monotonic() + SECONDS_TO_RUN
    rounds = 0
    while time.monotonic() < end:
        pid = sleeper(0.3)
        setup(pids=[pid], nr_schemes=1)
        must_write(kdamond() + '/state', 'on')
        racer = child(commander, True)
        os.waitpid(pid, 0)
        join([racer])
        rounds += 1
    print('# %d targets exited under commands' % rounds)
    consistent()


if __name__ == '__main__':
    run([test_state_race, test_layout_vs_commands,
         test_exit_during_tried_regions])
