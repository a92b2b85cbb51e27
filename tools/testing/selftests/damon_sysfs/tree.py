#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The shape of /sys/kernel/mm/damon/admin and its files' modes and inputs.

Every file sysfs.c owns has its 6.12 name and mode; every nr_* file builds
or removes exactly the numbered directories it counts, keeps the children
that stay, and refuses counts it cannot honour without changing anything;
every writable file refuses input that is not a value of its kind.
"""
import errno
import os
import stat

from _damon_ours import (KDAMONDS, Failure, context, expect_eq, expect_error,
                         kdamond, must_write, read, run, setup, stop_all,
                         write)

# path below a context (or the kdamond for the first two) -> mode
KDAMOND_FILES = {'state': 0o600, 'pid': 0o400,
                 'contexts/nr_contexts': 0o600}
CONTEXT_FILES = {
    'avail_operations': 0o400, 'operations': 0o600,
    'monitoring_attrs/intervals/sample_us': 0o600,
    'monitoring_attrs/intervals/aggr_us': 0o600,
    'monitoring_attrs/intervals/update_us': 0o600,
    'monitoring_attrs/nr_regions/min': 0o600,
    'monitoring_attrs/nr_regions/max': 0o600,
    'targets/nr_targets': 0o600,
    'targets/0/pid_target': 0o600,
    'targets/0/regions/nr_regions': 0o600,
    'targets/0/regions/0/start': 0o600,
    'targets/0/regions/0/end': 0o600,
    'schemes/nr_schemes': 0o600,
}


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def numbered(path):
    return sorted(int(n) for n in os.listdir(path) if n.isdigit())


def test_modes():
    setup(pids=[os.getpid()], regions=[(4096, 8192)])
    expect_eq(KDAMONDS + '/nr_kdamonds mode', mode(KDAMONDS + '/nr_kdamonds'),
              0o600)
    for f, m in KDAMOND_FILES.items():
        expect_eq(f + ' mode', mode(kdamond() + '/' + f), m)
    for f, m in CONTEXT_FILES.items():
        expect_eq(f + ' mode', mode(context() + '/' + f), m)
    expect_eq('kdamond files', sorted(os.listdir(kdamond())),
              ['contexts', 'pid', 'state'])
    expect_eq('context files', sorted(os.listdir(context())),
              ['avail_operations', 'monitoring_attrs', 'operations',
               'schemes', 'targets'])


def test_defaults():
    setup()
    ctx = context()
    expect_eq('state', read(kdamond() + '/state'), 'off')
    expect_eq('pid', read(kdamond() + '/pid'), '-1')
    expect_eq('operations', read(ctx + '/operations'), 'vaddr')
    avail = read(ctx + '/avail_operations').split('\n')
    for ops in ('vaddr', 'fvaddr', 'paddr'):
        if ops not in avail:
            raise Failure('%s missing from avail_operations %r' % (ops, avail))
    attrs = ctx + '/monitoring_attrs/'
    must_write(ctx + '/monitoring_attrs/intervals/sample_us', 5000)
    for f, want in (('intervals/update_us', '1000000'),
                    ('nr_regions/min', '10'), ('nr_regions/max', '1000')):
        expect_eq(f, read(attrs + f), want)


def check_resize(nr_file, child_file, counts):
    """Write each count; directories 0..n-1 exist, nothing else."""
    parent = os.path.dirname(nr_file)
    for n in counts:
        must_write(nr_file, n)
        expect_eq(nr_file, read(nr_file), str(n))
        expect_eq(parent + ' children', numbered(parent), list(range(n)))
        for i in range(n):
            if not os.path.exists('%s/%d/%s' % (parent, i, child_file)):
                raise Failure('%s/%d/%s missing' % (parent, i, child_file))


def test_grow_shrink():
    stop_all()
    check_resize(KDAMONDS + '/nr_kdamonds', 'state', [1, 3, 2, 0, 2])
    check_resize(kdamond() + '/contexts/nr_contexts', 'operations',
                 [1, 0, 1])
    check_resize(context() + '/targets/nr_targets', 'pid_target',
                 [1, 4, 2, 0, 3])
    check_resize(context() + '/targets/0/regions/nr_regions', 'start',
                 [1, 100, 7, 0, 2])
    stop_all()


def test_grow_keeps_children():
    setup(pids=[11, 22], regions=[(4096, 8192)])
    targets = context() + '/targets'
    must_write(targets + '/nr_targets', 4)
    expect_eq('target 1 pid', read(targets + '/1/pid_target'), '22')
    expect_eq('target 0 region', read(targets + '/0/regions/0/end'), '8192')
    expect_eq('new target pid', read(targets + '/3/pid_target'), '0')
    must_write(targets + '/nr_targets', 1)
    expect_eq('target 0 pid', read(targets + '/0/pid_target'), '11')


def test_bad_counts():
    setup(pids=[1])
    ctx = context()
    cases = [(KDAMONDS + '/nr_kdamonds', 1), (ctx + '/targets/nr_targets', 1),
             (ctx + '/targets/0/regions/nr_regions', 0),
             (kdamond() + '/contexts/nr_contexts', 1)]
    for nr_file, now in cases:
        # (an empty write never reaches the file: a lone newline does)
        for bad in ('-1', 'abc', '\n', '1x', '99999999999999999999', '0x',
                    '2147483648', '100000000'):
            expect_error(nr_file, bad, (errno.EINVAL, errno.ERANGE))
            expect_eq(nr_file + ' after %r' % bad, read(nr_file), str(now))
    # one context per kdamond, as in 6.12
    expect_error(kdamond() + '/contexts/nr_contexts', 2, errno.EINVAL)
    # limits: at the limit accepted, past it refused
    regions = ctx + '/targets/0/regions/nr_regions'
    expect_error(regions, 65537, errno.EINVAL)
    must_write(regions, '0x10')
    expect_eq('hex count', read(regions), '16')
    must_write(regions, '010')
    expect_eq('octal count', read(regions), '8')


def test_bad_values():
    setup(pids=[1], regions=[(4096, 8192)])
    ctx = context()
    ul_files = ['monitoring_attrs/intervals/sample_us',
                'monitoring_attrs/intervals/aggr_us',
                'monitoring_attrs/intervals/update_us',
                'monitoring_attrs/nr_regions/min',
                'monitoring_attrs/nr_regions/max',
                'targets/0/regions/0/start', 'targets/0/regions/0/end']
    for f in ul_files:
        path = ctx + '/' + f
        before = read(path)
        for bad in ('-1', 'x', '\n', '18446744073709551616', '12ab',
                    '1.5'):
            expect_error(path, bad, (errno.EINVAL, errno.ERANGE))
            expect_eq(f + ' after %r' % bad, read(path), before)
        must_write(path, '18446744073709551615')
        expect_eq(f, read(path), '18446744073709551615')
        must_write(path, before)
    pid = ctx + '/targets/0/pid_target'
    for bad in ('x', '\n', '2147483648', '1 2'):
        expect_error(pid, bad, (errno.EINVAL, errno.ERANGE))
    expect_eq('pid_target', read(pid), '1')
    for bad in ('\n', 'vaddrx', 'pad', 'VADDR'):
        expect_error(ctx + '/operations', bad, errno.EINVAL)
    for ops in ('paddr', 'fvaddr', 'vaddr'):
        must_write(ctx + '/operations', ops + '\n')
        expect_eq('operations', read(ctx + '/operations'), ops)
    for bad in ('\n', 'start', 'on off', 'ON', 'update_schemes'):
        expect_error(kdamond() + '/state', bad, errno.EINVAL)
    expect_eq('state', read(kdamond() + '/state'), 'off')
    if write(kdamond() + '/pid', '1') == 0:
        raise Failure('pid is writable')


if __name__ == '__main__':
    run([test_modes, test_defaults, test_grow_shrink,
         test_grow_keeps_children, test_bad_counts, test_bad_values])
