#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The CMA debugfs and sysfs files against bad input, failed allocations
and users who are not root.

- fuzz: CMA_FUZZ_INPUTS (default 5000) seeded inputs (CMA_FUZZ_SEED,
  default 1) to alloc and to free of an idle area: junk, signs, hex,
  octal, 2^64 and beyond, partial numbers, non-ASCII, long strings, counts
  at and past the area's size.  Every write succeeds or fails with an
  errno; an accepted alloc is freed at once.
- faults (cma_faults.py, the debug kernel's CONFIG_FAULT_INJECTION and
  CONFIG_FAILSLAB): fail-nth on the 1st, 2nd, ... allocation of a debugfs
  alloc until it succeeds; a failed alloc changes nothing.
- accounting: after each of the above, used is back to its start and the
  sysfs counters moved by exactly what was allocated and released.
- permissions: for nobody, the sysfs counters are read-only and debugfs
  is closed.
Output is KTAP.
"""
import os
import random
import sys

SYSFS = '/sys/kernel/mm/cma'
DEBUGFS = '/sys/kernel/debug/cma'
FAIL_NTH = '/proc/thread-self/fail-nth'
FAILSLAB = '/sys/kernel/debug/failslab'
SEED = int(os.environ.get('CMA_FUZZ_SEED', '1'))
INPUTS = int(os.environ.get('CMA_FUZZ_INPUTS', '5000'))
NOBODY = 65534


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def read(path):
    with open(path) as f:
        return f.read().strip()


def write(path, data):
    data = data if isinstance(data, bytes) else str(data).encode()
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, data)
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


def idle_area():
    """The last area with nothing allocated and one page per bit."""
    area = None
    for a in sorted(os.listdir(DEBUGFS)):
        d = os.path.join(DEBUGFS, a)
        if read(d + '/used') == '0' and read(d + '/order_per_bit') == '0' \
                and os.path.exists(os.path.join(SYSFS, a)):
            area = a
    if area is None:
        raise Skip('no idle CMA area')
    return area


class Ledger:
    """used and the sysfs success counters of an area, before and after."""

    def __init__(self, area):
        self.area = area
        self.start = self.snapshot()
        self.allocated = self.released = 0

    def snapshot(self):
        s = os.path.join(SYSFS, self.area)
        return (int(read(os.path.join(DEBUGFS, self.area, 'used'))),
                int(read(s + '/alloc_pages_success')),
                int(read(s + '/release_pages_success')))

    def check(self):
        used, ok, rel = self.snapshot()
        if used != self.start[0]:
            raise Failure('used %d, was %d' % (used, self.start[0]))
        if (ok - self.start[1], rel - self.start[2]) != (self.allocated,
                                                          self.released):
            raise Failure('counters moved by %d/%d, expected %d/%d' % (
                ok - self.start[1], rel - self.start[2], self.allocated,
                self.released))


def junk(rng, count):
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(['\n', ' ', '\t', '\x00', '-', '+', '0x', '--1',
                           '1-', '0b1'])
    if kind == 1:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
    if kind == 2:
        return rng.choice('a1 \n') * rng.choice([23, 24, 64, 4096])
    if kind == 3:
        return 'é' * rng.randrange(1, 8)
    n = rng.choice([0, 1, 2, 3, 16, 100, 512, count - 1, count, count + 1,
                    2**31, 2**32, 2**63, 2**64 - 1, 2**64, 2**65, 10**30])
    sign = rng.choice(['', '', '', '-', '+'])
    form = rng.randrange(4)
    if form == 0:
        return '%s%d' % (sign, n)
    if form == 1:
        return '%s0x%x' % (sign, n)
    if form == 2:
        return '%s0%o' % (sign, n)
    return '%s%d%s' % (sign, n, rng.choice(['x', '.5', ' 1', 'k']))


def parsed(value):
    """The count the kernel parses from an accepted write: the first 23
    bytes, up to a NUL, as kstrtoull() reads them."""
    data = value if isinstance(value, bytes) else value.encode()
    text = data[:23].split(b'\0')[0].decode('latin-1').strip()
    text = text[1:] if text.startswith('+') else text
    if text[:2].lower() == '0x':
        return int(text[2:], 16)
    if text.startswith('0') and len(text) > 1:
        return int(text[1:], 8)
    return int(text)


def test_fuzz():
    area = idle_area()
    d = os.path.join(DEBUGFS, area)
    count = int(read(d + '/count'))
    ledger = Ledger(area)
    rng = random.Random(SEED)
    tried = accepted = 0
    for f in ('alloc', 'free'):
        held = 0
        if f == 'free':
            if write(d + '/alloc', 16):
                raise Failure('cannot hold 16 pages to free from')
            ledger.allocated += 16
            held = 16
        for _ in range(INPUTS):
            value = junk(rng, count)
            err = write(d + '/' + f, value)
            tried += 1
            if err:
                continue
            accepted += 1
            n = parsed(value)
            if f == 'alloc':
                ledger.allocated += n
                if write(d + '/free', n):
                    raise Failure('free of %d just allocated pages' % n)
                ledger.released += n
            else:
                ledger.released += n
                if n > held:
                    raise Failure('free of %d accepted, %d held' % (n, held))
                if write(d + '/alloc', n):
                    raise Failure('alloc of %d after a free' % n)
                ledger.allocated += n
        if held:
            if write(d + '/free', held):
                raise Failure('free of the %d held pages' % held)
            ledger.released += held
    ledger.check()
    print('# seed %d, area %s: %d inputs tried, %d accepted, %d rejected' % (
        SEED, area, tried, accepted, tried - accepted))


def faulted_alloc(path, pages, nth):
    fd = os.open(path, os.O_WRONLY)
    ctl = os.open(FAIL_NTH, os.O_RDWR)
    err = 0
    try:
        os.write(ctl, str(nth).encode())
        try:
            os.write(fd, str(pages).encode())
        except OSError as e:
            err = e.errno
        left = int(os.pread(ctl, 32, 0).decode().strip() or 0)
        os.write(ctl, b'0')
    finally:
        os.close(ctl)
        os.close(fd)
    return err, left == 0


def test_faults():
    if not os.path.exists(FAIL_NTH) or not os.path.isdir(FAILSLAB):
        raise Skip('needs CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB')
    for f, v in (('ignore-gfp-wait', 'N'), ('verbose', '0')):
        with open(os.path.join(FAILSLAB, f), 'w') as fd:
            fd.write(v)
    area = idle_area()
    d = os.path.join(DEBUGFS, area)
    ledger = Ledger(area)
    for nth in range(1, 1000):
        err, injected = faulted_alloc(d + '/alloc', 16, nth)
        if err:
            if not injected:
                raise Failure('alloc failed (errno %d) without a fault' % err)
            ledger.check()
            continue
        ledger.allocated += 16
        if write(d + '/free', 16):
            raise Failure('free after a faulted alloc')
        ledger.released += 16
        ledger.check()
        if not injected:
            print('# %d faults injected, then success' % (nth - 1))
            return
    raise Failure('alloc still failing after 999 faults')


def test_permissions():
    area = sorted(os.listdir(SYSFS))[0]
    files = [os.path.join(SYSFS, area, f)
             for f in os.listdir(os.path.join(SYSFS, area))]
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        problems = []
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            for p in files:
                try:
                    read(p)
                except OSError as e:
                    problems.append('cannot read %s: %s' % (p, e))
                try:
                    os.close(os.open(p, os.O_WRONLY))
                    problems.append('%s opened for writing' % p)
                except PermissionError:
                    pass
            try:
                os.listdir(DEBUGFS)
                problems.append('%s listed' % DEBUGFS)
            except PermissionError:
                pass
        finally:
            os.write(w, '\n'.join(problems).encode())
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        problems = f.read().strip()
    os.waitpid(pid, 0)
    if problems:
        raise Failure(problems.replace('\n', '; '))
    print('# %d sysfs files read-only for nobody, debugfs closed' % len(files))


def main(tests):
    print('TAP version 13')
    print('1..%d' % len(tests))
    if os.geteuid() != 0 or not os.path.isdir(SYSFS) or \
            not os.path.isdir(DEBUGFS):
        for i, t in enumerate(tests, 1):
            print('ok %d %s # SKIP needs root, %s and %s' % (
                i, t.__name__, SYSFS, DEBUGFS))
        return 4
    failed = skipped = 0
    for i, t in enumerate(tests, 1):
        try:
            t()
            print('ok %d %s' % (i, t.__name__))
        except Skip as e:
            skipped += 1
            print('ok %d %s # SKIP %s' % (i, t.__name__, e))
        except Exception as e:
            failed += 1
            print('# %s: %s' % (t.__name__, e))
            print('not ok %d %s' % (i, t.__name__))
        sys.stdout.flush()
    print('# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0' % (
        len(tests) - failed - skipped, failed, skipped))
    return 1 if failed else 4 if skipped == len(tests) else 0


if __name__ == '__main__':
    sys.exit(main([test_fuzz, test_permissions]))
