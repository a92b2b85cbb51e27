#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A user other than root can neither read nor write any file under
/sys/kernel/mm/damon/admin (nobody, uid 65534, in a child process)."""
import os

from _damon_ours import ADMIN, Failure, ksft_mm, must_write, run, setup


def opened_by_nobody(paths):
    """The opens (read and write) of paths that nobody got."""
    def check():
        opened = []
        for p in paths:
            for flags, how in ((os.O_RDONLY, 'read'), (os.O_WRONLY, 'write')):
                try:
                    os.close(os.open(p, flags))
                    opened.append('nobody opened %s for %s' % (p, how))
                except PermissionError:
                    pass
        return opened
    return ksft_mm.as_nobody(check)


def test_nobody_locked_out():
    setup(pids=[1], regions=[(4096, 8192)], nr_schemes=1)
    must_write(ADMIN + '/kdamonds/0/contexts/0/schemes/0/filters/nr_filters',
               1)
    paths = [os.path.join(root, f) for root, _, files in os.walk(ADMIN)
             for f in files]
    if len(paths) < 40:
        raise Failure('only %d files under %s' % (len(paths), ADMIN))
    opened = opened_by_nobody(paths)
    if opened:
        for line in opened:
            print('# ' + line)
        raise Failure('%d opens of %d files succeeded' % (len(opened),
                                                          len(paths)))
    print('# %d files closed to nobody' % len(paths))


if __name__ == '__main__':
    run([test_nobody_locked_out])
