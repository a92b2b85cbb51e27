# SPDX-License-Identifier: GPL-2.0
"""Shared by the dmapool kselftests that drive the dmapool_selftest module.

The module (CONFIG_DMAPOOL_SELFTEST=m) registers the device
/sys/devices/dmapool-selftest and takes commands in
/sys/kernel/debug/dmapool_selftest/cmd; see mm/dmapool_selftest.c.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'kselftest'))
import ksft  # noqa: E402
from ksft_mm import skip_all  # noqa: E402,F401

MODULE = 'dmapool_selftest'
CMD = '/sys/kernel/debug/dmapool_selftest/cmd'
POOLS = '/sys/devices/dmapool-selftest/pools'
HUNG_TIMEOUT = '/proc/sys/kernel/hung_task_timeout_secs'


def load_module():
    """Load the module (modprobe, else the harness build); None or why not."""
    if os.getuid() != 0:
        return 'must run as root'
    if os.path.exists(CMD):
        return None
    if subprocess.run(['modprobe', MODULE], capture_output=True).returncode == 0:
        return None
    build = os.environ.get('HARNESS_BUILD')
    ko = os.path.join(build, 'mm', MODULE + '.ko') if build else None
    if not ko or not os.path.exists(ko):
        return f'{MODULE}.ko not found (CONFIG_DMAPOOL_SELFTEST=m)'
    res = subprocess.run(['insmod', ko], capture_output=True, text=True)
    if res.returncode:
        return f'insmod {ko}: {res.stderr.strip()}'
    return None


def unload_module():
    return subprocess.run(['rmmod', MODULE]).returncode == 0


def command(line):
    """Write one command; returns 0 or the errno the module answered."""
    try:
        with open(CMD, 'w') as f:
            f.write(line)
        return 0
    except OSError as e:
        return e.errno


def pools_lines():
    """The pools file as {pool name: (in use, blocks, size, pages)}."""
    with open(POOLS) as f:
        text = f.read()
    lines = text.splitlines()
    if not lines or lines[0] != 'poolinfo - 0.1':
        raise ValueError(f'bad pools header: {text!r}')
    pools = {}
    for line in lines[1:]:
        fields = line.split()
        pools[fields[0]] = tuple(int(x) for x in fields[-4:])
    return pools


def set_hung_task_timeout(seconds):
    """Set the hung task timeout; returns the old value or None."""
    try:
        with open(HUNG_TIMEOUT) as f:
            old = f.read().strip()
        with open(HUNG_TIMEOUT, 'w') as f:
            f.write(str(seconds))
        return old
    except OSError:
        return None
