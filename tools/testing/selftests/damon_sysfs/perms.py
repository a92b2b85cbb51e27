#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A user other than root can neither read nor write any file under
/sys/kernel/mm/damon/admin (nobody, uid 65534, in a child process)."""
import os

from _damon_ours import ADMIN, Failure, must_write, run, setup

NOBODY = 65534


def as_nobody(paths):
    """Count, as nobody, the opens that succeeded."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        opened = 0
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            for p in paths:
                for flags in (os.O_RDONLY, os.O_WRONLY):
                    try:
                        os.close(os.open(p, flags))
                        opened += 1
                        os.write(w, ('# nobody opened %s\n' % p).encode())
                    except PermissionError:
                        pass
        finally:
            os.write(w, ('%d\n' % opened).encode())
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        out = f.read()
    os.waitpid(pid, 0)
    lines = out.strip().split('\n')
    for line in lines[:-1]:
        print(line)
    return int(lines[-1])


def test_nobody_locked_out():
    setup(pids=[1], regions=[(4096, 8192)], nr_schemes=1)
    must_write(ADMIN + '/kdamonds/0/contexts/0/schemes/0/filters/nr_filters',
               1)
    paths = [os.path.join(root, f) for root, _, files in os.walk(ADMIN)
             for f in files]
    if len(paths) < 40:
        raise Failure('only %d files under %s' % (len(paths), ADMIN))
    opened = as_nobody(paths)
    if opened:
        raise Failure('nobody opened %d of %d files' % (opened, len(paths)))
    print('# %d files closed to nobody' % len(paths))


if __name__ == '__main__':
    run([test_nobody_locked_out])
