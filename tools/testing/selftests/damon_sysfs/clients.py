#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Several DAMON sysfs clients at once, as two damo processes are.

1. Two writers send 20 state commands each to one running kdamond while a
   third resizes nr_targets of a second, stopped kdamond every 5 ms: no
   write is turned away with EBUSY, every command succeeds, and nr_tried of
   a stat scheme that matches every region grows at every
   update_schemes_stats answer.
   The files of sysfs-schemes.c that take damon_sysfs_lock, written in
   the stopped kdamond's tree while the other one refreshes its stats
   every millisecond and updates tried regions, get no EBUSY either.
2. A second command on the same kdamond waits for the first, then runs.
3. Commands waiting on a kdamond that off stops: the one being handled is
   answered, the waiting one gets EINVAL, off does not wait for them.
4. The two shapes of lost commands: one sent while the kdamond is off must
   not stay for the next kdamond to find; one sent while the kdamond shuts
   down by itself must be answered.  A command that is never answered
   hangs its writer, which SIGALRM then kills.
"""
import errno
import os
import select
import signal
import time

from _damon_ours import (KDAMONDS, Failure, context, expect_eq, kdamond,
                         must_write, read, reap, run, setup, sleeper, write)

NR_COMMANDS = 20
RESIZE_GAP = 0.005
# every command that needs a running kdamond
MIX = ['update_schemes_stats', 'update_schemes_tried_bytes',
       'update_schemes_tried_regions', 'update_schemes_effective_quotas',
       'commit_schemes_quota_goals', 'clear_schemes_tried_regions',
       'commit']
# a command taking longer than this was never answered
HANG_SECONDS = 30


def scheme_dir(k=0):
    return context(k) + '/schemes/0'


def nr_tried(k=0):
    return int(read(scheme_dir(k) + '/stats/nr_tried'))


def in_child(fn, *args):
    """fn(*args) in a child process; returns (pid, read end of a pipe that
    gets the child's report, one line of 'key=value' words)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        signal.alarm(HANG_SECONDS * 4)
        status = 1
        try:
            os.write(w, (fn(*args) + '\n').encode())
            status = 0
        except Exception as e:
            os.write(w, ('error=%s\n' % str(e).replace(' ', '_')).encode())
        os._exit(status)
    os.close(w)
    return pid, r


def collect(child):
    """Wait for a child of in_child(); its report as a dict."""
    pid, r = child
    data = b''
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        raise Failure('client killed by signal %d (a write hung?)'
                      % os.WTERMSIG(status))
    report = dict(w.split('=', 1) for w in data.decode().split() if '=' in w)
    if 'error' in report:
        raise Failure(report['error'].replace('_', ' '))
    return report


def two_kdamonds(pid, apply_us=5000):
    """kdamond 0 monitors pid with one stat scheme matching every region,
    applied every apply_us; kdamond 1 is configured and stays off."""
    setup(pids=[pid], nr_schemes=1)
    must_write(scheme_dir() + '/apply_interval_us', apply_us)
    # a target caught before its exec has no regions until the next
    # update of the operations (60 s by default)
    must_write(context() + '/monitoring_attrs/intervals/update_us', 100000)
    must_write(KDAMONDS + '/nr_kdamonds', 2)
    must_write(kdamond(1) + '/contexts/nr_contexts', 1)
    must_write(context(1) + '/targets/nr_targets', 1)
    must_write(kdamond() + '/state', 'on')
    end = time.monotonic() + 10
    while time.monotonic() < end:
        must_write(kdamond() + '/state', 'update_schemes_stats')
        if nr_tried():
            return
        time.sleep(0.1)
    raise Failure('the scheme tried no region in 10 s')


def commander(cmds):
    """Send each command; after each update_schemes_stats nr_tried must
    have grown (stale counts the answers where it did not)."""
    busy = failed = stale = 0
    last = -1
    for cmd in cmds:
        err = write(kdamond() + '/state', cmd)
        if err == errno.EBUSY:
            busy += 1
        elif err:
            failed += 1
        elif cmd == 'update_schemes_stats':
            now = nr_tried()
            if now <= last:
                stale += 1
            last = now
    return 'sent=%d ebusy=%d failed=%d stale=%d' % (len(cmds), busy, failed,
                                                    stale)


def resizer(stop_fd, stop_w):
    """Resize nr_targets of kdamond 1 every RESIZE_GAP until stop_fd gets
    EOF (once the test and the writers closed their stop_w)."""
    os.close(stop_w)
    nr_file = context(1) + '/targets/nr_targets'
    n = busy = other = 0
    while not select.select([stop_fd], [], [], RESIZE_GAP)[0]:
        err = write(nr_file, 1 + n % 3)
        n += 1
        if err == errno.EBUSY:
            busy += 1
        elif err:
            other += 1
    return 'resizes=%d ebusy=%d failed=%d' % (n, busy, other)


def test_two_clients():
    pid = sleeper()
    try:
        two_kdamonds(pid)
        stop_r, stop_w = os.pipe()
        res = in_child(resizer, stop_r, stop_w)
        os.close(stop_r)
        writers = [in_child(commander, ['update_schemes_stats'] *
                            NR_COMMANDS),
                   in_child(commander, [MIX[i % len(MIX)] for i in
                                        range(NR_COMMANDS)])]
        reports = [collect(w) for w in writers]
        os.close(stop_w)
        reports.append(collect(res))
        for name, rep in zip(('writer 1', 'writer 2', 'resizer'), reports):
            print('# %s: %s' % (name, ' '.join('%s=%s' % kv for kv in
                                              sorted(rep.items()))))
        busy = sum(int(r['ebusy']) for r in reports)
        failed = sum(int(r['failed']) for r in reports)
        stale = sum(int(r.get('stale', 0)) for r in reports)
        if busy or failed or stale:
            raise Failure('%d writes turned away with EBUSY, %d failed, %d '
                          'stats answers without a new nr_tried' %
                          (busy, failed, stale))
        if int(reports[2]['resizes']) < 10:
            raise Failure('the resizer ran only %s times' %
                          reports[2]['resizes'])
        expect_eq('kdamond 0 state', read(kdamond() + '/state'), 'on')
    finally:
        reap(pid)


def timed_write(path, value):
    start = time.monotonic()
    err = write(path, value)
    return 'err=%d start=%f end=%f' % (err, start, time.monotonic())


def test_second_command_waits():
    pid = sleeper()
    try:
        # tried regions are answered after a whole apply interval: 1 s
        two_kdamonds(pid, apply_us=1000000)
        first = in_child(timed_write, kdamond() + '/state',
                         'update_schemes_tried_regions')
        time.sleep(0.3)
        start = time.monotonic()
        err = write(kdamond() + '/state', 'update_schemes_stats')
        end = time.monotonic()
        rep = collect(first)
        expect_eq('first command', int(rep['err']), 0)
        expect_eq('second command', errno.errorcode.get(err, err)
                  if err else 0, 0)
        if end < float(rep['end']):
            raise Failure('second command answered at %.3f, before the '
                          'first at %s' % (end, rep['end']))
        print('# first answered after %.2f s, second waited %.2f s' % (
            float(rep['end']) - float(rep['start']), end - start))
    finally:
        reap(pid)


def test_off_while_commands_wait():
    pid = sleeper()
    try:
        two_kdamonds(pid, apply_us=3000000)
        first = in_child(timed_write, kdamond() + '/state',
                         'update_schemes_tried_regions')
        time.sleep(0.3)
        second = in_child(timed_write, kdamond() + '/state',
                          'update_schemes_stats')
        time.sleep(0.3)
        start = time.monotonic()
        must_write(kdamond() + '/state', 'off')
        took = time.monotonic() - start
        r1, r2 = collect(first), collect(second)
        expect_eq('command being handled', int(r1['err']), 0)
        expect_eq('command waiting', errno.errorcode.get(int(r2['err']),
                                                          r2['err']),
                  'EINVAL')
        if took > 2.5:
            raise Failure('off took %.2f s: it waited for the commands'
                          % took)
        expect_eq('state', read(kdamond() + '/state'), 'off')
    finally:
        reap(pid)


def schemes_writer(stop_fd, stop_w):
    """Write the files of sysfs-schemes.c that take damon_sysfs_lock, in
    kdamond 1's tree, every RESIZE_GAP until stop_fd gets EOF."""
    os.close(stop_w)
    scheme = scheme_dir(1)
    writes = [(context(1) + '/schemes/nr_schemes', (1, 2)),
              (scheme + '/filters/nr_filters', (1, 3)),
              (scheme + '/filters/0/memcg_path', ('/a', '/b')),
              (scheme + '/quotas/goals/nr_goals', (2, 1))]
    n = busy = other = 0
    while not select.select([stop_fd], [], [], RESIZE_GAP)[0]:
        for path, values in writes:
            err = write(path, values[n % 2])
            if err == errno.EBUSY:
                busy += 1
            elif err:
                other += 1
        n += 1
    return 'writes=%d ebusy=%d failed=%d' % (n * len(writes), busy, other)


def test_schemes_files_while_busy():
    """The files of sysfs-schemes.c in a stopped kdamond's tree while
    another kdamond refreshes every millisecond and updates tried
    regions: none of their writes is turned away with EBUSY."""
    pid = sleeper()
    try:
        two_kdamonds(pid)
        must_write(kdamond() + '/refresh_ms', 1)
        must_write(context(1) + '/schemes/nr_schemes', 1)
        stop_r, stop_w = os.pipe()
        writer = in_child(schemes_writer, stop_r, stop_w)
        os.close(stop_r)
        cmds = in_child(commander, ['update_schemes_tried_regions'] * 10 +
                        ['update_schemes_stats'] * 100)
        rep = collect(cmds)
        os.close(stop_w)
        res = collect(writer)
        print('# commands: %s' % ' '.join('%s=%s' % kv for kv in
                                         sorted(rep.items())))
        print('# schemes files: %s' % ' '.join('%s=%s' % kv for kv in
                                              sorted(res.items())))
        if int(rep['failed']) or int(res['failed']):
            raise Failure('writes failed')
        if int(rep['ebusy']) or int(res['ebusy']):
            raise Failure('%s command and %s schemes file writes turned '
                          'away with EBUSY' % (rep['ebusy'], res['ebusy']))
        must_write(kdamond() + '/refresh_ms', 0)
    finally:
        reap(pid)


def sender(cmds, rounds):
    """Send cmds while the kdamond is on and off; each one is answered."""
    codes = {}
    for _ in range(rounds):
        for cmd in cmds:
            err = write(kdamond() + '/state', cmd)
            if err not in (0, errno.EINVAL, errno.ESRCH):
                raise Failure('%s: %s' % (cmd, errno.errorcode.get(err,
                                                                     err)))
            codes[err] = codes.get(err, 0) + 1
    return ' '.join('%s=%d' % (errno.errorcode.get(e, 'ok'), n)
                    for e, n in sorted(codes.items()))


def test_sent_while_off():
    """A command sent to a stopped kdamond is refused and leaves nothing
    behind: the next kdamond answers only the commands sent to it."""
    pid = sleeper()
    try:
        two_kdamonds(pid)
        must_write(kdamond() + '/state', 'off')
        for _ in range(20):
            for cmd in MIX:
                err = write(kdamond() + '/state', cmd)
                expect_eq(cmd + ' while off', errno.errorcode.get(err, err),
                          'EINVAL')
            must_write(kdamond() + '/state', 'on')
            must_write(kdamond() + '/state', 'update_schemes_stats')
            must_write(kdamond() + '/state', 'off')
        # and racing with on and off
        racer = in_child(sender, MIX, 15)
        end = time.monotonic() + 3
        while time.monotonic() < end:
            must_write(kdamond() + '/state', 'on')
            time.sleep(0.02)
            must_write(kdamond() + '/state', 'off')
        print('# sender: %s' % ' '.join('%s=%s' % kv for kv in
                                        sorted(collect(racer).items())))
        must_write(kdamond() + '/state', 'on')
        must_write(kdamond() + '/state', 'update_schemes_tried_regions')
    finally:
        reap(pid)


def until_off(cmds):
    n = 0
    while read(kdamond() + '/state') == 'on':
        for cmd in cmds:
            err = write(kdamond() + '/state', cmd)
            if err not in (0, errno.EINVAL, errno.ESRCH):
                raise Failure('%s: %s' % (cmd, errno.errorcode.get(err,
                                                                     err)))
            n += 1
    return 'sent=%d' % n


def test_shut_down_by_itself():
    """The target exits, so the kdamond stops by itself while two clients
    send commands; every one of them is answered."""
    rounds = 0
    end = time.monotonic() + 8
    while time.monotonic() < end:
        pid = sleeper(0.3)
        try:
            two_kdamonds(pid)
            clients = [in_child(until_off, MIX), in_child(until_off,
                                                          MIX[::-1])]
            os.waitpid(pid, 0)
            for c in clients:
                collect(c)
        finally:
            reap(pid)
        rounds += 1
    print('# %d kdamonds stopped under commands' % rounds)


if __name__ == '__main__':
    run([test_two_clients, test_schemes_files_while_busy,
         test_second_command_waits,
         test_off_while_commands_wait, test_sent_while_off,
         test_shut_down_by_itself])
