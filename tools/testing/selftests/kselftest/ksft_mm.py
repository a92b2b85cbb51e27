# SPDX-License-Identifier: GPL-2.0
"""Shared by the Python kselftests of cma, dmapool and damon_sysfs.

- run(): a test program is a list of functions; each raises Skip or
  Failure (or any other exception) or returns.  run() prints KTAP through
  the tree's ksft.py, one result per function, and exits with the
  kselftest status: 1 on a failure, 4 when every test skipped (or a
  requirement is missing), 0 otherwise.
- read(), write(): sysfs and debugfs files, one write() per value,
  errors as errno values.
- Fault injection: failslab_setup() and fail_nth_write(), a write with
  its nth slab allocation failing through /proc/thread-self/fail-nth.
- Input fuzzing: fuzz_input(), the seeded junk every writable file is
  fed: whitespace, signs, hex and octal, numbers past 2^64, partial
  numbers, raw and non-ASCII bytes, long strings, command words and
  near misses.
"""
import os
import random
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ksft  # noqa: E402

FAIL_NTH = '/proc/thread-self/fail-nth'
FAILSLAB = '/sys/kernel/debug/failslab'
NOBODY = 65534


class Failure(Exception):
    """What a test found wrong."""


class Skip(Exception):
    """Why a test cannot run here."""


def read(path):
    with open(path) as f:
        return f.read().strip()


def write(path, value):
    """Write value (str, int or bytes) in one write(); 0 or the errno."""
    data = value if isinstance(value, bytes) else str(value).encode()
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as e:
        return e.errno
    try:
        os.write(fd, data)
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


def skip_all(reason):
    """Skip the whole program (KTAP "1..0 # SKIP"), exit status 4."""
    ksft.print_header()
    print(f'1..0 # SKIP {reason}', flush=True)
    sys.exit(ksft.KSFT_SKIP)


def run(tests, requires=None, cleanup=None):
    """Run each function of tests and exit with the kselftest status.

    requires: a function returning None, or why the program cannot run
    at all (no root, a missing directory); cleanup: called after the
    last test, a Failure there fails the program.
    """
    why = requires() if requires else None
    if why:
        skip_all(why)
    ksft.print_header()
    ksft.set_plan(len(tests))
    for t in tests:
        try:
            t()
            ksft.test_result_pass(t.__name__)
        except Skip as e:
            # ksft.test_result_skip() has no room for the reason
            ksft._test_print('ok', t.__name__, f'SKIP {e}')
            ksft.ksft_cnt['skip'] += 1
        except Exception as e:      # any other exception is a failure
            ksft.print_msg(f'{t.__name__}: {type(e).__name__}: {e}')
            if not isinstance(e, (Failure, AssertionError, OSError)):
                for line in traceback.format_exc().splitlines():
                    ksft.print_msg(line)
            ksft.test_result_fail(t.__name__)
        sys.stdout.flush()
    if cleanup:
        try:
            cleanup()
        except Failure as e:
            ksft.print_msg(f'cleanup: {e}')
            ksft.ksft_cnt['fail'] += 1
    cnt = ksft.ksft_cnt
    if cnt['fail']:
        ksft.exit_fail()
    ksft.print_cnts()
    sys.exit(ksft.KSFT_SKIP if cnt['skip'] == len(tests) else ksft.KSFT_PASS)


def as_nobody(fn):
    """Run fn() in a child as uid/gid nobody without groups; returns the
    lines fn() returned (problems it found)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        lines = []
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            lines = fn()
        except Exception as e:
            lines = [f'as nobody: {type(e).__name__}: {e}']
        finally:
            os.write(w, '\n'.join(lines).encode())
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        out = f.read()
    os.waitpid(pid, 0)
    return [line for line in out.split('\n') if line]


def failslab_missing():
    """None, or why fail-nth cannot inject slab faults here."""
    if not os.path.exists(FAIL_NTH) or not os.path.isdir(FAILSLAB):
        return ('needs CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB and '
                'CONFIG_FAULT_INJECTION_DEBUG_FS')
    return None


def failslab_setup():
    """Let fail-nth reach GFP_KERNEL allocations, quietly; Skip without
    fault injection (see failslab_missing())."""
    why = failslab_missing()
    if why:
        raise Skip(why)
    for f, v in (('ignore-gfp-wait', 'N'), ('verbose', '0')):
        if write(os.path.join(FAILSLAB, f), v):
            raise Failure(f'cannot set failslab/{f}')


def fail_nth_write(path, value, nth):
    """Write value to path with the nth slab allocation of the write
    failing. Returns (errno or 0, whether the fault was injected)."""
    fd = os.open(path, os.O_WRONLY)
    ctl = os.open(FAIL_NTH, os.O_RDWR)
    err = 0
    try:
        os.write(ctl, str(nth).encode())
        try:
            os.write(fd, str(value).encode())
        except OSError as e:
            err = e.errno
        left = int(os.pread(ctl, 32, 0).decode().strip() or 0)
        os.write(ctl, b'0')
    finally:
        os.close(ctl)
        os.close(fd)
    return err, left == 0


def fail_nth_sweep(name, attempt, max_faults=1000):
    """Call attempt(nth) for nth = 1, 2, ... until it reports a write that
    met no fault; attempt returns whether the fault was injected and
    raises Failure on a bad outcome. Returns the faults injected."""
    for nth in range(1, max_faults + 1):
        if not attempt(nth):
            ksft.print_msg(f'{name}: {nth - 1} faults injected, then success')
            return nth - 1
    raise Failure(f'{name}: still failing after {max_faults} faults')


JUNK = ['\n', ' ', '\t', ' \n', '\x00', '-', '+', '0x', '0b1', '--1',
        '1-']
LENGTHS = [23, 24, 64, 1024, 4095, 4096]


def fuzz_number(rng, values):
    """One of values as decimal, hex, octal, with a trailing newline, or
    followed by junk; signs included."""
    n = rng.choice(values)
    sign = rng.choice(['', '', '-', '+'])
    form = rng.randrange(5)
    if form == 0:
        return f'{sign}{n}'
    if form == 1:
        return f'{sign}0x{n:x}'
    if form == 2:
        return f'{sign}0{n:o}'
    if form == 3:
        return f"{sign}{n}{rng.choice(['x', '.5', ' 1', 'k', chr(10) * 2])}"
    return f'{sign}{n}\n'


def fuzz_input(rng, values, words=()):
    """A seeded junk input (str or bytes) for a writable file: values are
    the numbers worth trying on it, words its command words. Numbers come
    twice as often as each other kind."""
    kind = rng.choice(['junk', 'bytes', 'long', 'utf8', 'number', 'number'] +
                      (['word'] if words else []))
    if kind == 'junk':
        return rng.choice(JUNK)
    if kind == 'bytes':
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
    if kind == 'long':
        return rng.choice('ab1 \n') * rng.choice(LENGTHS)
    if kind == 'utf8':
        return '\u00e9' * rng.randrange(1, 8)
    if kind == 'word':
        w = rng.choice(words)
        cut = rng.randrange(len(w) + 1)
        return rng.choice([w, w + '\n', w[:cut], w.upper(), w + 'x',
                           ' ' + w, w + ' on'])
    return fuzz_number(rng, values)


def fuzz_rng(env='FUZZ_SEED', default=1):
    """random.Random seeded from the environment; (rng, seed)."""
    seed = int(os.environ.get(env, str(default)))
    return random.Random(seed), seed
