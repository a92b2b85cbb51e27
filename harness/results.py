#!/usr/bin/env python3
"""Turn guest runs into test results.

    results.py run RUN_DIR LABEL KUNIT_DIR [no-skips]
                                              -> RUN_DIR/results.json, table on stdout
    results.py kunit-tool RUN_DIR KUNIT_DIR   -> RUN_DIR/results.json from kunit.py's run
    results.py lint LINT_TXT OUT_JSON         -> lint lines as results
    results.py summary JSON...               -> totals table and the closing line

A run's results are: the KUnit suites found on its console (parsed with the
tree's tools/testing/kunit parser), the kselftests framed by
harness/guest/run-selftests.sh in its output (TAP), one "boot" result that
fails on a splat, a timeout or a missing exit status. Skips are counted
apart and never as passes; with no-skips (make check, whose kernels have
every setup the kselftests need) a kselftest that skipped, in whole or in
part, fails.
"""
import io
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TAP_RESULT = re.compile(r'^(not ok|ok)\s+\d+\b\s*-?\s*([^#]*)(#\s*(\w+))?')


def kunit_suites(console, kunit_dir):
    sys.path.insert(0, kunit_dir)
    import kunit_parser
    import kunit_printer
    kunit_printer.stdout._output = io.StringIO()
    kunit_printer.stdout._use_color = False
    with open(console, errors='replace') as f:
        top = kunit_parser.parse_run_tests(f.readlines())
    rows = []
    for suite in top.subtests:
        c = suite.counts
        # A parse error (a missing plan, a bad line) is a failure too.
        rows.append({'kind': 'kunit', 'name': suite.name,
                     'passed': c.passed,
                     'failed': c.failed + c.crashed + c.errors,
                     'skipped': c.skipped})
    if top.status == kunit_parser.TestStatus.FAILURE_TO_PARSE_TESTS:
        rows.append({'kind': 'kunit', 'name': 'kunit-output', 'passed': 0,
                     'failed': 1, 'skipped': 0})
    return rows


def tap_counts(lines):
    """Count the top-level TAP results of one kselftest program."""
    passed = failed = skipped = 0
    for line in lines:
        m = TAP_RESULT.match(line)
        if not m:
            continue
        directive = (m.group(4) or '').upper()
        if directive == 'SKIP':
            skipped += 1
        elif m.group(1) == 'ok' or directive == 'XFAIL':
            passed += 1
        else:
            failed += 1
    return passed, failed, skipped


def selftests(output):
    rows = []
    name, lines = None, []
    with open(output, errors='replace') as f:
        text = f.read().replace('\r', '')
    for line in text.splitlines():
        if line.startswith('# selftest: '):
            name, lines = line.split(': ', 1)[1].strip(), []
        elif line.startswith('# selftest-exit: ') and name:
            status = int(line.rsplit(' ', 1)[1])
            passed, failed, skipped = tap_counts(lines)
            if status not in (0, 4) and failed == 0:
                failed = 1      # crashed, timed out, or failed without TAP
            if status == 4 and passed + failed + skipped == 0:
                skipped = 1
            if status == 0 and passed + failed + skipped == 0:
                passed = 1      # a plain program: its exit status is the result
            rows.append({'kind': 'kselftest', 'name': name, 'passed': passed,
                         'failed': failed, 'skipped': skipped, 'status': status})
            name = None
        elif name:
            lines.append(line)
    if name:
        rows.append({'kind': 'kselftest', 'name': name, 'passed': 0,
                     'failed': 1, 'skipped': 0, 'status': 'no exit'})
    return rows


def no_skips(rows):
    """A kselftest's skips become failures (and its name says so)."""
    for r in rows:
        if r['skipped']:
            r['name'] += ' (skipped)'
            r['failed'] += r['skipped']
            r['skipped'] = 0
    return rows


def run(run_dir, label, kunit_dir, strict=False):
    console = os.path.join(run_dir, 'console.log')
    rows = []
    rows += kunit_suites(console, kunit_dir)
    tests = selftests(os.path.join(run_dir, 'output.log'))
    rows += no_skips(tests) if strict else tests
    with open(os.path.join(run_dir, 'boot-status')) as f:
        boot = int(f.read().strip() or 125)
    splats = []
    if os.path.exists(os.path.join(run_dir, 'splats.txt')):
        with open(os.path.join(run_dir, 'splats.txt')) as f:
            splats = [s.rstrip() for s in f]
    with open(console, errors='replace') as f:
        finished = 'harness: exit status' in f.read()
    ok = finished and boot not in (124, 125) and not splats
    rows.append({'kind': 'boot', 'name': 'no splat, no timeout',
                 'passed': int(ok), 'failed': int(not ok), 'skipped': 0})
    for r in rows:
        r['label'] = label
    with open(os.path.join(run_dir, 'results.json'), 'w') as f:
        json.dump({'label': label, 'rows': rows, 'splats': splats[:20]}, f)
    print_table(rows)
    for s in splats[:20]:
        print(f'    splat: {s}')


def kunit_tool(run_dir, kunit_dir):
    """The suites of a kunit.py run (its kernel's log, test.log) and a row
    for kunit.py's exit status, which covers the build and the boot."""
    rows = kunit_suites(os.path.join(run_dir, 'test.log'), kunit_dir)
    with open(os.path.join(run_dir, 'status')) as f:
        status = int(f.read().strip() or 1)
    rows.append({'kind': 'kunit', 'name': f'kunit.py exit status {status}',
                 'passed': int(status == 0), 'failed': int(status != 0),
                 'skipped': 0})
    for r in rows:
        r['label'] = 'kunit.py'
    with open(os.path.join(run_dir, 'results.json'), 'w') as f:
        json.dump({'label': 'kunit.py', 'rows': rows}, f)
    print_table(rows)


def print_table(rows):
    for r in rows:
        verdict = 'FAIL' if r['failed'] else ('SKIP' if not r['passed'] else 'ok')
        print(f"{r['label']:<12} {r['kind']:<10} {r['name']:<52} "
              f"{r['passed']:>5} {r['failed']:>5} {r['skipped']:>5}  {verdict}")


def lint(lint_txt, out_json):
    rows = []
    with open(lint_txt) as f:
        for line in f:
            m = re.match(r'lint: (\S+) (ok|FAIL) \((.*)\)', line)
            if m:
                ok = m.group(2) == 'ok'
                rows.append({'label': 'lint', 'kind': 'lint',
                             'name': f'{m.group(1)}: {m.group(3)}'[:52],
                             'passed': int(ok), 'failed': int(not ok),
                             'skipped': 0})
    if not rows:
        rows.append({'label': 'lint', 'kind': 'lint', 'name': 'lint did not run',
                     'passed': 0, 'failed': 1, 'skipped': 0})
    with open(out_json, 'w') as f:
        json.dump({'label': 'lint', 'rows': rows}, f)


def summary(files):
    rows = []
    for path in files:
        with open(path) as f:
            rows += json.load(f)['rows']
    print(f"{'kernel':<12} {'kind':<10} {'suite':<52} {'pass':>5} {'fail':>5} {'skip':>5}")
    print_table(rows)
    passed = sum(r['passed'] for r in rows)
    failed = sum(r['failed'] for r in rows)
    skipped = sum(r['skipped'] for r in rows)
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed or not passed else 0


def verdict(row):
    if row is None:
        return 'missing'
    return 'FAIL' if row['failed'] else ('skip' if not row['passed'] else 'pass')


def parity(stock_json, ours_json):
    """Markdown table of the kselftests of two runs; 1 if ours fails where
    stock passes."""
    runs = []
    for path in (stock_json, ours_json):
        with open(path) as f:
            runs.append({r['name']: r for r in json.load(f)['rows']
                         if r['kind'] in ('kselftest', 'boot')})
    print('| test | stock 6.12 | ours |')
    print('|---|---|---|')
    regressions = 0
    for name in runs[0]:
        a, b = verdict(runs[0][name]), verdict(runs[1].get(name))
        mark = ''
        if a == 'pass' and b != 'pass':
            regressions += 1
            mark = ' (regression)'
        print(f'| {name} | {a} | {b}{mark} |')
    print(f'\n{regressions} regression(s)')
    return 1 if regressions else 0


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == 'run':
        run(sys.argv[2], sys.argv[3], sys.argv[4],
            sys.argv[5:] == ['no-skips'])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == 'kunit-tool':
        kunit_tool(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == 'lint':
        lint(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == 'parity':
        return parity(sys.argv[2], sys.argv[3])
    if len(sys.argv) >= 3 and sys.argv[1] == 'summary':
        return summary(sys.argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())
