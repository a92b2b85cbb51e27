#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The shape of /sys/kernel/mm/damon/admin and its files' modes and inputs.

Every file sysfs.c owns has its 6.12 name and mode (refresh_ms, from 6.17,
is the one addition); every nr_* file builds or removes exactly the
numbered directories it counts, keeps the children that stay, and refuses
counts it cannot honour without changing anything; every writable file
refuses input that is not a value of its kind.
"""
import errno
import os
import stat

from _damon_ours import (KDAMONDS, Failure, context, expect_eq, expect_error,
                         kdamond, must_write, read, run, setup, stop_all,
                         write)

# path below a context (or the kdamond for the first two) -> mode
KDAMOND_FILES = {'state': 0o600, 'pid': 0o400, 'refresh_ms': 0o600,
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
              ['contexts', 'pid', 'refresh_ms', 'state'])
    expect_eq('context files', sorted(os.listdir(context())),
              ['avail_operations', 'monitoring_attrs', 'operations',
               'schemes', 'targets'])


# What every file of a fresh tree reads before anyone writes it, written
# down from the 6.12 sources (mm/damon/sysfs.c: S, sysfs-schemes.c: SS,
# sysfs-common.c: SC), each with where it comes from.  Paths are below
# kdamonds/0; an nr_* file is 0 until the test writes the 1 that creates
# the directory below it (its *_alloc() is a kzalloc()).
S, SS = 'mm/damon/sysfs.c', 'mm/damon/sysfs-schemes.c'
C = 'contexts/0/'
SCH = C + 'schemes/0/'
DEFAULTS = {
    'state': ('off', S + ' state_show(): no damon_ctx, not running'),
    'pid': ('-1', S + ' pid_show(): pid = -1 without a kdamond'),
    # not in 6.12: added as upstream 6.17 has it, off by default
    'refresh_ms': ('0', '6.17 ' + S + ' damon_sysfs_kdamond_alloc():'
                   ' kzalloc'),
    C + 'avail_operations': ('vaddr\nfvaddr\npaddr',
                             S + ' avail_operations_show(): every registered'
                             ' ops in enum damon_ops_id order (config:'
                             ' DAMON_VADDR, DAMON_PADDR)'),
    C + 'operations': ('vaddr', S + ' damon_sysfs_contexts_add_dirs():'
                       ' damon_sysfs_context_alloc(DAMON_OPS_VADDR)'),
    C + 'monitoring_attrs/intervals/sample_us':
        ('5000', S + ' damon_sysfs_attrs_add_dirs():'
         ' damon_sysfs_intervals_alloc(5000, 100000, 60000000)'),
    C + 'monitoring_attrs/intervals/aggr_us':
        ('100000', S + ' damon_sysfs_attrs_add_dirs(), as above'),
    C + 'monitoring_attrs/intervals/update_us':
        ('60000000', S + ' damon_sysfs_attrs_add_dirs(), as above'),
    C + 'monitoring_attrs/nr_regions/min':
        ('10', S + ' damon_sysfs_attrs_add_dirs():'
         ' damon_sysfs_ul_range_alloc(10, 1000)'),
    C + 'monitoring_attrs/nr_regions/max':
        ('1000', S + ' damon_sysfs_attrs_add_dirs(), as above'),
    C + 'targets/0/pid_target': ('0', S + ' damon_sysfs_target_alloc():'
                                 ' kzalloc'),
    C + 'targets/0/regions/0/start': ('0', S + ' damon_sysfs_region_alloc():'
                                      ' kzalloc'),
    C + 'targets/0/regions/0/end': ('0', S + ' damon_sysfs_region_alloc():'
                                    ' kzalloc'),
    SCH + 'action': ('stat', SS + ' damon_sysfs_schemes_add_dirs():'
                     ' damon_sysfs_scheme_alloc(DAMOS_STAT, 0)'),
    SCH + 'apply_interval_us': ('0', SS + ' damon_sysfs_schemes_add_dirs(),'
                                ' as above'),
    SCH + 'target_nid': ('-1', SS + ' damon_sysfs_scheme_alloc():'
                         ' NUMA_NO_NODE'),
    SCH + 'quotas/ms': ('0', SS + ' damon_sysfs_quotas_alloc(): kzalloc'),
    SCH + 'quotas/bytes': ('0', SS + ' damon_sysfs_quotas_alloc(): kzalloc'),
    SCH + 'quotas/reset_interval_ms': ('0', SS + ' damon_sysfs_quotas_alloc():'
                                       ' kzalloc'),
    SCH + 'quotas/effective_bytes': ('0', SS + ' damon_sysfs_quotas_alloc():'
                                     ' kzalloc'),
    SCH + 'quotas/goals/0/target_metric':
        ('user_input', SS + ' damos_sysfs_quota_goal_alloc(): kzalloc,'
         ' metric 0 is "user_input"'),
    SCH + 'quotas/goals/0/target_value':
        ('0', SS + ' damos_sysfs_quota_goal_alloc(): kzalloc'),
    SCH + 'quotas/goals/0/current_value':
        ('0', SS + ' damos_sysfs_quota_goal_alloc(): kzalloc'),
    SCH + 'watermarks/metric':
        ('none', SS + ' damon_sysfs_scheme_set_watermarks():'
         ' damon_sysfs_watermarks_alloc(DAMOS_WMARK_NONE, 0, 0, 0, 0)'),
    SCH + 'filters/0/type': ('anon', SS + ' damon_sysfs_scheme_filter_alloc():'
                             ' kzalloc, type 0 is "anon"'),
    SCH + 'filters/0/matching': ('N', SS + ' damon_sysfs_scheme_filter_alloc():'
                                 ' kzalloc'),
    SCH + 'filters/0/memcg_path': ('', SS + ' memcg_path_show(): NULL path'
                                   ' shows as ""'),
    SCH + 'filters/0/addr_start': ('0', SS + ' damon_sysfs_scheme_filter_alloc():'
                                   ' kzalloc'),
    SCH + 'filters/0/addr_end': ('0', SS + ' damon_sysfs_scheme_filter_alloc():'
                                 ' kzalloc'),
    SCH + 'filters/0/damon_target_idx':
        ('0', SS + ' damon_sysfs_scheme_filter_alloc(): kzalloc'),
    SCH + 'tried_regions/total_bytes':
        ('0', SS + ' damon_sysfs_scheme_regions_alloc(): total_bytes = 0'),
}
for _r in ('sz', 'nr_accesses', 'age'):
    for _m in ('min', 'max'):
        DEFAULTS[SCH + 'access_pattern/%s/%s' % (_r, _m)] = (
            '0', SS + ' damon_sysfs_access_pattern_add_range_dir():'
            ' damon_sysfs_ul_range_alloc(0, 0)')
for _f in ('sz_permil', 'nr_accesses_permil', 'age_permil'):
    DEFAULTS[SCH + 'quotas/weights/' + _f] = (
        '0', SS + ' damon_sysfs_quotas_add_dirs():'
        ' damon_sysfs_weights_alloc(0, 0, 0)')
for _f in ('interval_us', 'high', 'mid', 'low'):
    DEFAULTS[SCH + 'watermarks/' + _f] = (
        '0', SS + ' damon_sysfs_watermarks_alloc(DAMOS_WMARK_NONE, 0, 0, 0,'
        ' 0)')
for _f in ('nr_tried', 'sz_tried', 'nr_applied', 'sz_applied', 'qt_exceeds'):
    DEFAULTS[SCH + 'stats/' + _f] = ('0', SS + ' damon_sysfs_stats_alloc():'
                                     ' kzalloc')

# The nr_* files the test writes 1 to, in order, each below kdamonds/0.
NR_CHAIN = ('contexts/nr_contexts', C + 'targets/nr_targets',
            C + 'targets/0/regions/nr_regions', C + 'schemes/nr_schemes',
            SCH + 'quotas/goals/nr_goals', SCH + 'filters/nr_filters')


def test_defaults():
    """Every file of a fresh tree reads its 6.12 default, and the table
    above lists every file there is, so none can drift unnoticed."""
    stop_all()
    must_write(KDAMONDS + '/nr_kdamonds', 1)
    for f in NR_CHAIN:
        expect_eq(f + ' before it is written', read(kdamond() + '/' + f), '0')
        must_write(kdamond() + '/' + f, 1)
    want = dict((f, v) for f, (v, _) in DEFAULTS.items())
    want.update((f, '1') for f in NR_CHAIN)
    # tried_regions has no numbered directory until a command fills it
    seen = {}
    for root, _, files in os.walk(kdamond()):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), kdamond())
            seen[rel] = read(os.path.join(root, f))
    bad = []
    for f in sorted(set(want) | set(seen)):
        if f not in seen:
            bad.append('%s: missing' % f)
        elif f not in want:
            bad.append('%s: no 6.12 default recorded (reads %r)' % (f, seen[f]))
        elif seen[f] != want[f]:
            src = DEFAULTS[f][1] if f in DEFAULTS else 'the count written'
            bad.append('%s: %r, 6.12 has %r (%s)' % (f, seen[f], want[f], src))
    if bad:
        raise Failure('; '.join(bad))
    stop_all()


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
