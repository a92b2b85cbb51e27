#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""CMA debugfs alloc under allocation faults (see cma_robust.py); needs
the debug kernel's CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB."""
from cma_robust import failslab_missing, main, test_faults

if __name__ == '__main__':
    main([test_faults], requires=failslab_missing)
