# SPDX-License-Identifier: GPL-2.0
"""Shared by our DAMON sysfs kselftests: the admin tree and run().

Each test is a function that raises Failure (or AssertionError) with what
went wrong or Skip; run() prints one KTAP line per test and exits with
the kselftest status (../kselftest/ksft_mm.py).
"""
import errno
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'kselftest'))
from ksft_mm import Failure, Skip, read, write  # noqa: E402,F401
import ksft_mm  # noqa: E402

ADMIN = '/sys/kernel/mm/damon/admin'
KDAMONDS = ADMIN + '/kdamonds'


def must_write(path, value):
    err = write(path, value)
    if err:
        raise Failure('writing %r to %s: %s' % (value, path,
                                                errno.errorcode.get(err, err)))


def expect_error(path, value, codes):
    """The write must fail with one of codes (an errno or a tuple)."""
    codes = codes if isinstance(codes, tuple) else (codes,)
    err = write(path, value)
    if err not in codes:
        got = errno.errorcode.get(err, err) if err else 'success'
        raise Failure('writing %r to %s: expected %s, got %s' % (
            value, path, '/'.join(errno.errorcode[c] for c in codes), got))


def expect_eq(what, got, want):
    if got != want:
        raise Failure('%s: expected %r, got %r' % (what, want, got))


def kdamond(k=0):
    return '%s/%d' % (KDAMONDS, k)


def context(k=0, c=0):
    return '%s/contexts/%d' % (kdamond(k), c)


def stop_all():
    """Turn every kdamond off and remove them all."""
    for k in range(int(read(KDAMONDS + '/nr_kdamonds'))):
        state = kdamond(k) + '/state'
        if read(state) != 'on':
            continue
        err = write(state, 'off')
        # A kdamond whose targets have all exited stops by itself: it
        # may do so between the read and the write, which then fails
        # with EPERM although the kdamond is off.
        if err and read(state) != 'off':
            raise Failure('turning %s off: %s' %
                          (state, errno.errorcode.get(err, err)))
    must_write(KDAMONDS + '/nr_kdamonds', 0)


def setup(ops='vaddr', pids=(), regions=(), nr_schemes=0, action='stat',
          sample_us=5000, aggr_us=100000):
    """One kdamond with one context; every target gets the same regions."""
    stop_all()
    must_write(KDAMONDS + '/nr_kdamonds', 1)
    must_write(kdamond() + '/contexts/nr_contexts', 1)
    ctx = context()
    must_write(ctx + '/operations', ops)
    must_write(ctx + '/monitoring_attrs/intervals/sample_us', sample_us)
    must_write(ctx + '/monitoring_attrs/intervals/aggr_us', aggr_us)
    must_write(ctx + '/targets/nr_targets', len(pids))
    for t, pid in enumerate(pids):
        tdir = '%s/targets/%d' % (ctx, t)
        must_write(tdir + '/pid_target', pid)
        must_write(tdir + '/regions/nr_regions', len(regions))
        for r, (start, end) in enumerate(regions):
            must_write('%s/regions/%d/start' % (tdir, r), start)
            must_write('%s/regions/%d/end' % (tdir, r), end)
    must_write(ctx + '/schemes/nr_schemes', nr_schemes)
    for s in range(nr_schemes):
        scheme = '%s/schemes/%d' % (ctx, s)
        must_write(scheme + '/action', action)
        # any region, as damo's default pattern
        for r in ('sz', 'nr_accesses', 'age'):
            must_write('%s/access_pattern/%s/max' % (scheme, r), 2**64 - 1)
    return ctx


def paddr_range():
    """A System RAM range of /proc/iomem at least 64 MiB long."""
    best = None
    with open('/proc/iomem') as f:
        for line in f:
            if line.startswith(' ') or 'System RAM' not in line:
                continue
            start, end = (int(x, 16) for x in line.split(':')[0].split('-'))
            if best is None or end - start > best[1] - best[0]:
                best = (start, end + 1)
    if best is None or best[1] - best[0] < (64 << 20):
        raise Skip('no System RAM range of 64 MiB in /proc/iomem')
    return best


def asleep(pid):
    """Whether pid is `sleep` and sleeping, its exec over."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return False
    comm = stat[stat.index('(') + 1:stat.rindex(')')]
    state = stat[stat.rindex(')') + 2]
    return comm == 'sleep' and state == 'S'


def sleeper(seconds=600):
    """A child process to monitor; returns its pid once it sleeps.

    A vaddr kdamond takes its target's regions from the address space it
    finds at start and looks again only every update_us (60 s by
    default): started while the child is still in exec, it can find no
    regions at all and apply no scheme for a minute.
    """
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp('sleep', ['sleep', str(seconds)])
        finally:
            os._exit(127)
    end = time.monotonic() + 30
    while not asleep(pid):
        if time.monotonic() > end:
            reap(pid)
            raise Failure('sleep %d did not start within 30 s' % seconds)
        time.sleep(0.005)
    return pid


def reap(pid):
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def requirements():
    if os.geteuid() != 0:
        return 'must run as root'
    if not os.path.isdir(ADMIN):
        return f'needs CONFIG_DAMON_SYSFS ({ADMIN})'
    return None


def run(tests, requires=None):
    """Run each test function; KTAP out, kselftest exit status. requires
    (see ksft_mm.run()) comes on top of root and the admin tree."""
    ksft_mm.run(tests, cleanup=stop_all,
                requires=lambda: requirements() or (requires and requires()))
