#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeded input fuzzing of every writable file under the DAMON admin tree
sysfs.c owns (DAMON_FUZZ_SEED, default 1; DAMON_FUZZ_INPUTS per file,
default 750: 10,500 in all).

Inputs: empty-ish, whitespace, signs, hex and octal, 2^64 and beyond,
partial numbers, non-ASCII bytes, 4 KiB strings, values at and past each
limit, command words and their near misses.  Each write succeeds or fails
with an errno; afterwards every nr_* file still matches its directories.
The kdamond is running during the state fuzzing, so commands act for real.
"""
import os

from _damon_ours import (Failure, context, kdamond, ksft_mm, must_write, read,
                         reap, run, setup, sleeper, write)

PER_FILE = int(os.environ.get('DAMON_FUZZ_INPUTS', '750'))
WORDS = ['on', 'off', 'commit', 'commit_schemes_quota_goals',
         'update_schemes_stats', 'update_schemes_tried_bytes',
         'update_schemes_tried_regions', 'clear_schemes_tried_regions',
         'update_schemes_effective_quotas', 'vaddr', 'fvaddr', 'paddr']


SMALL = [0, 1, 2, 3, 7, 10, 100]
# past the nr_* limits (65536 targets or regions, 1024 kdamonds, 1 context)
PAST = [65537, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**63,
        2**64 - 1, 2**64, 2**65, 10**30]
VALUES = SMALL + PAST + [1000, 1024, 1025, 65535, 65536]


def junk(rng, counts_file):
    """An nr_* file (counts_file) gets no count it would honour with more
    than 100 directories, to keep the run short: tree.py checks the
    limits themselves."""
    if counts_file:
        values = SMALL + PAST
    else:
        values = VALUES + [rng.randrange(2**64)]
    return ksft_mm.fuzz_input(rng, values, WORDS)


# the files that count numbered directories (stats/nr_tried does not)
NR_FILES = ('nr_kdamonds', 'nr_contexts', 'nr_targets', 'nr_regions',
            'nr_schemes', 'nr_filters', 'nr_goals')


def nr_files():
    out = []
    for root, dirs, files in os.walk('/sys/kernel/mm/damon/admin'):
        for f in files:
            if f in NR_FILES and (f != 'nr_regions' or
                                  os.path.basename(root) == 'regions'):
                out.append((os.path.join(root, f),
                            len([d for d in dirs if d.isdigit()])))
    return out


def consistent():
    for path, dirs in nr_files():
        if int(read(path)) != dirs:
            raise Failure('%s says %s, %d dirs' % (path, read(path), dirs))


def fuzz(rng, path, counts, restore):
    counts_file = os.path.basename(path).startswith('nr_')
    for _ in range(PER_FILE):
        value = junk(rng, counts_file)
        err = write(path, value)
        counts['tried'] += 1
        counts['accepted' if not err else 'rejected'] += 1
        if not err:
            restore()


def test_fuzz_files():
    rng, seed = ksft_mm.fuzz_rng('DAMON_FUZZ_SEED')
    counts = {'tried': 0, 'accepted': 0, 'rejected': 0}
    pid = sleeper()
    ctx = context()
    try:
        def base():
            setup(pids=[pid], regions=[(4096, 8192)], nr_schemes=1)
        base()
        files = ['monitoring_attrs/intervals/sample_us',
                 'monitoring_attrs/intervals/aggr_us',
                 'monitoring_attrs/intervals/update_us',
                 'monitoring_attrs/nr_regions/min',
                 'monitoring_attrs/nr_regions/max',
                 'targets/0/pid_target', 'targets/0/regions/0/start',
                 'targets/0/regions/0/end', 'operations']
        for f in files:
            fuzz(rng, ctx + '/' + f, counts, lambda: None)
        # counts: an accepted write may build thousands of directories
        for f in (ctx + '/targets/0/regions/nr_regions',
                  ctx + '/targets/nr_targets',
                  kdamond() + '/contexts/nr_contexts'):
            fuzz(rng, f, counts, base)
            consistent()
        fuzz(rng, '/sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds', counts,
             base)
        consistent()
        # state, with the kdamond on: every command for real
        base()
        must_write(kdamond() + '/state', 'on')

        def back_on():
            if read(kdamond() + '/state') != 'on':
                base()
                must_write(kdamond() + '/state', 'on')
        fuzz(rng, kdamond() + '/state', counts, back_on)
        consistent()
        if read(kdamond() + '/state') == 'on':
            must_write(kdamond() + '/state', 'off')
    finally:
        reap(pid)
    print('# seed %d: %d inputs tried, %d accepted, %d rejected' % (
        seed, counts['tried'], counts['accepted'], counts['rejected']))
    if counts['tried'] < 10000:
        raise Failure('only %d inputs' % counts['tried'])


if __name__ == '__main__':
    run([test_fuzz_files])
