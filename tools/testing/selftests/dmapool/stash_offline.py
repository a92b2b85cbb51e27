#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A CPU that goes offline gives the free blocks it stashed back.

Blocks freed on a CPU wait in that CPU's stash of the pool. cpu1 allocates
and frees blocks of the dmapool_selftest module's "kept" pool, so that it
stashes some; cpu1 then goes offline. Afterwards the "pools" file must
still count exactly (no block in use, no new chunk), and every block of
the pool, the stashed ones included, must be allocatable from the CPU that
is left without the pool growing a chunk.
"""

import os

from dmapool_helpers import (command, ksft, load_module, pools_lines,
                             skip_all, unload_module)

CPU1 = '/sys/devices/system/cpu/cpu1/online'


def set_online(value):
    try:
        with open(CPU1, 'w') as f:
            f.write(value)
        return True
    except OSError as e:
        ksft.print_msg(f'{CPU1} <- {value}: {e}')
        return False


def main():
    if not os.access(CPU1, os.W_OK):
        skip_all('needs a second CPU that can go offline (CONFIG_HOTPLUG_CPU)')
    why = load_module()
    if why:
        skip_all(why)
    ksft.print_header()
    ksft.set_plan(4)

    err = command('stash 1 200')
    active, blocks, _, chunks = pools_lines()['kept']
    ksft.print_msg(f'after cpu1 used the pool: {active} in use, '
                   f'{blocks} blocks, {chunks} chunks')
    ksft.test_result(err == 0 and active == 0,
                     'cpu1 allocated and freed 200 blocks')

    offline = set_online('0')
    after = pools_lines()['kept']
    ksft.print_msg(f'after cpu1 went offline: {after}')
    ksft.test_result(offline and after[0] == 0 and after[1] == blocks and
                     after[3] == chunks, 'cpu1 offline, counts unchanged')

    err = command(f'hold {blocks}')
    held = pools_lines()['kept']
    ksft.print_msg(f'after holding {blocks} blocks: {held}')
    ksft.test_result(err == 0 and held[0] == blocks and held[3] == chunks,
                     'every block, cpu1\'s stash included, reused')

    ok = command('release') == 0 and pools_lines()['kept'][0] == 0
    ok = set_online('1') and ok
    ok = command('destroy') == 0 and unload_module() and ok
    ksft.test_result(ok, 'released, cpu1 back online, pool destroyed')
    ksft.finished()


if __name__ == '__main__':
    try:
        main()
    finally:
        # Whatever failed, leave both CPUs online for the tests that follow.
        if os.path.exists(CPU1) and open(CPU1).read().strip() == '0':
            set_online('1')
