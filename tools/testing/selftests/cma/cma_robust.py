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
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'kselftest'))
from ksft_mm import (Failure, Skip, as_nobody, fail_nth_sweep,  # noqa: E402
                     fail_nth_write, failslab_missing, failslab_setup,
                     fuzz_input, fuzz_rng, read, run, write)

SYSFS = '/sys/kernel/mm/cma'
DEBUGFS = '/sys/kernel/debug/cma'
INPUTS = int(os.environ.get('CMA_FUZZ_INPUTS', '5000'))


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
    return fuzz_input(rng, [0, 1, 2, 3, 16, 100, 512, count - 1, count,
                            count + 1, 2**31, 2**32, 2**63, 2**64 - 1, 2**64,
                            2**65, 10**30])


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
    rng, seed = fuzz_rng('CMA_FUZZ_SEED')
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
        seed, area, tried, accepted, tried - accepted))


def test_faults():
    failslab_setup()
    area = idle_area()
    d = os.path.join(DEBUGFS, area)
    ledger = Ledger(area)

    def attempt(nth):
        err, injected = fail_nth_write(d + '/alloc', 16, nth)
        if err:
            if not injected:
                raise Failure('alloc failed (errno %d) without a fault' % err)
            ledger.check()
            return True
        ledger.allocated += 16
        if write(d + '/free', 16):
            raise Failure('free after a faulted alloc')
        ledger.released += 16
        ledger.check()
        return injected
    fail_nth_sweep('debugfs alloc of 16 pages', attempt, 999)


def test_permissions():
    area = sorted(os.listdir(SYSFS))[0]
    files = [os.path.join(SYSFS, area, f)
             for f in os.listdir(os.path.join(SYSFS, area))]

    def check():
        problems = []
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
        return problems
    problems = as_nobody(check)
    if problems:
        raise Failure('; '.join(problems))
    print('# %d sysfs files read-only for nobody, debugfs closed' % len(files))


def requirements():
    if os.geteuid() != 0:
        return 'must run as root'
    if not os.path.isdir(SYSFS) or not os.path.isdir(DEBUGFS):
        return 'needs CONFIG_CMA_SYSFS and CONFIG_CMA_DEBUGFS'
    return None


def main(tests, requires=None):
    run(tests, requires=lambda: requirements() or (requires and requires()))


if __name__ == '__main__':
    main([test_fuzz, test_permissions])
