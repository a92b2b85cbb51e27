#!/usr/bin/env python3
"""bench_report.py RAW OUTDIR KERNEL_VERSION OURS_LABEL STAMP

Turn the "LABEL MODE BOOT CASE METRIC VALUE" lines of harness/bench.sh into
OUTDIR/results.md (a Markdown table per component: stock, ours, ratio
ours/stock, mode) and OUTDIR/ratios.png (gnuplot: how many times faster ours
is per case, on a log scale; bars right of 1 are faster, left slower).
STAMP (harness/bench-stamp.sh) names the code measured.
"""
import datetime
import math
import os
import statistics
import subprocess
import sys

# Figures that describe a run rather than measure speed: tabled, not plotted.
# cross_cpu is 0 on ours: no speed-up to plot on a log scale.
INFORMATIONAL = {'pages_in_use_before', 'cross_cpu'}
# Metrics where a smaller number is better; the others are throughputs.
LOWER_IS_BETTER = {'ns_per_pair': 'guest instructions per alloc+free pair', 'ns': 'ns', 'ms': 'ms',
                   'ms_per_mib_moved': 'ms per MiB moved', 'us': 'microseconds',
                   'attempts': 'attempts',
                   'cross_cpu': 'IPIs and work items caused, beyond an idle baseline',
                   'per_apply_interval': 'fraction of an apply interval'}


def load(raw):
    """{(case, metric, mode): {label: [one figure per boot]}}; a boot that
    ran a case more than once counts with the median of its runs."""
    runs = {}
    for line in open(raw):
        parts = line.split()
        if len(parts) != 6:
            continue
        label, mode, boot, case, metric, value = parts
        by_boot = runs.setdefault((case, metric, mode), {}).setdefault(label, {})
        by_boot.setdefault(boot, []).append(float(value))
    return {key: {label: [statistics.median(v) for v in by_boot.values()]
                  for label, by_boot in by_label.items()}
            for key, by_label in runs.items()}


def sig4(v):
    """Four significant digits, in plain notation."""
    if v != v:
        return str(v)
    if float(v).is_integer() and abs(v) < 10000:
        return str(int(v))
    digits = 3 - int(math.floor(math.log10(abs(v))))
    r = round(v, digits)
    return f'{r:.{digits}f}' if digits > 0 else f'{int(r):,}'


def fmt(values, mode):
    if mode == 'icount':
        # Exact and repeatable for one kernel; four digits are enough to
        # compare two.
        return sig4(values[0]), values[0]
    med = statistics.median(values)
    return f'{med:.3f} ({min(values):.3f}-{max(values):.3f})', med


def speed_label(speed):
    """"0.97x", "2.50x", "38.6x", "4,419x": how many times faster ours is."""
    if speed != speed:
        return '?'
    if speed >= 100:
        return f'{speed:,.0f}x'
    return f'{speed:.1f}x' if speed >= 10 else f'{speed:.2f}x'


def qemu_version():
    try:
        out = subprocess.run(['qemu-system-x86_64', '--version'],
                             capture_output=True, text=True).stdout
        return out.splitlines()[0]
    except OSError:
        return 'unknown'


def main():
    raw, outdir, kver, ours_label, stamp = sys.argv[1:6]
    data = load(raw)
    rows = []
    for (case, metric, mode), by in sorted(data.items()):
        if 'stock' not in by or 'ours' not in by:
            continue
        s_txt, s = fmt(by['stock'], mode)
        o_txt, o = fmt(by['ours'], mode)
        ratio = o / s if s else float('nan')
        lower = metric in LOWER_IS_BETTER
        speed = (s / o if o else float('nan')) if lower else ratio
        if mode == 'icount':
            same = abs(speed - 1) <= 0.02
        else:
            # Within the spread: the two ranges of runs overlap.
            same = (min(by['ours']) <= max(by['stock']) and
                    min(by['stock']) <= max(by['ours']))
        rows.append((case, metric, mode, s_txt, o_txt, ratio, speed, len(by['ours']), same))

    when = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    lines = ['# Benchmarks: ours against stock 6.12', '',
             f'- kernel: linux-source-6.12 {kver}, config `bench`; '
             f'"ours" is `{ours_label}`',
             f'- QEMU: {qemu_version()}', f'- date: {when}',
             f'- code measured (harness/bench-stamp.sh): {stamp}',
             '- modes: `icount` = `-icount shift=0`, 1 vCPU, one boot per '
             'kernel, figures in guest instructions (repeatable); `wall` = '
             'MTTCG, 2 vCPUs, boots alternating stock/ours (ABBA), each the '
             'median of 3 runs after an untimed one; median (min-max) over '
             'the boots',
             '- ratio = ours / stock of the metric; for ns/instruction '
             'metrics lower is better, for throughputs higher is better', '']
    components = {}
    for r in rows:
        components.setdefault(r[0].split('/')[0].split('_')[0], []).append(r)
    for comp, crow in components.items():
        lines += [f'## {comp}', '',
                  '| case | metric | stock | ours | ratio ours/stock | mode | runs |',
                  '| --- | --- | --- | --- | --- | --- | --- |']
        for case, metric, mode, s_txt, o_txt, ratio, _, n, _ in crow:
            lines.append(f'| {case} | {metric} | {s_txt} | {o_txt} | '
                         f'{ratio:.3f} | {mode} | {n} |')
        lines.append('')
    md = '\n'.join(lines)
    with open(os.path.join(outdir, 'results.md'), 'w') as f:
        f.write(md)
    print(md)

    dat = os.path.join(outdir, 'ratios.dat')
    plotted = [r for r in rows if r[1] not in INFORMATIONAL]
    n = len(plotted)
    with open(dat, 'w') as f:
        for i, r in enumerate(plotted):
            # Grey: the same (icount within 2 %, wall within the spread).
            colour = 0x909090 if r[8] else 0x3a9a3a if r[6] > 1 else 0xc03030
            # First row at the top; the bar runs from 1 to the speed-up.
            f.write(f'{n - 1 - i} "{r[0]} {r[1]} ({r[2]})" {r[6]:.6g} '
                    f'{colour} "{speed_label(r[6])}"\n')
    speeds = [r[6] for r in plotted if r[6] > 0] or [1]
    lo, hi = min(min(speeds), 1) / 4, max(max(speeds), 1) * 4
    png = os.path.join(outdir, 'ratios.png')
    # Ratios run from a few per cent to thousands: a log scale keeps
    # 0.5x and 2x the same length on either side of 1.
    script = f'''
set terminal pngcairo size 1200,{160 + 24 * n} font ",10" noenhanced
set output "{png}"
set title "ours vs stock 6.12: speed-up of ours per case (log scale; right of 1 = ours faster)\\ngreen faster, red slower, grey the same (icount within 2 %, wall ranges overlapping)"
set style fill solid 0.6
set yrange [-0.7:{n - 0.3}]
set logscale x 10
set xrange [{lo:.6g}:{hi:.6g}]
set format x "%gx"
set ytics ()
set grid x
unset key
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb "black"
plot "{dat}" using (1):1:(($3) < 1 ? ($3) : 1):(($3) > 1 ? ($3) : 1):(($1) - 0.35):(($1) + 0.35):4:ytic(2) with boxxyerror lc rgb variable, \\
     "{dat}" using (($3) >= 1 ? ($3) * 1.08 : NaN):1:5 with labels left font ",9", \\
     "{dat}" using (($3) < 1 ? ($3) / 1.08 : NaN):1:5 with labels right font ",9"
'''
    try:
        subprocess.run(['gnuplot'], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f'bench: no plot ({e})', file=sys.stderr)


if __name__ == '__main__':
    main()
