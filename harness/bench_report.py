#!/usr/bin/env python3
"""bench_report.py RAW OUTDIR KERNEL_VERSION OURS_LABEL

Turn the "LABEL MODE CASE METRIC VALUE" lines of harness/bench.sh into
OUTDIR/results.md (a Markdown table per component: stock, ours, ratio
ours/stock, mode) and OUTDIR/ratios.png (gnuplot: speed of ours relative to
stock per case, 1.0 = same; above 1 is faster).
"""
import datetime
import math
import os
import statistics
import subprocess
import sys

# Figures that describe a run rather than measure speed: tabled, not plotted.
INFORMATIONAL = {'pages_in_use_before'}
# Metrics where a smaller number is better; the others are throughputs.
LOWER_IS_BETTER = {'ns_per_pair': 'guest instructions per alloc+free pair', 'ns': 'ns', 'ms': 'ms',
                   'ms_per_mib_moved': 'ms per MiB moved', 'us': 'microseconds',
                   'attempts': 'attempts'}


def load(raw):
    data = {}
    for line in open(raw):
        parts = line.split()
        if len(parts) != 5:
            continue
        label, mode, case, metric, value = parts
        data.setdefault((case, metric, mode), {}).setdefault(label, []).append(float(value))
    return data


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


def qemu_version():
    try:
        out = subprocess.run(['qemu-system-x86_64', '--version'],
                             capture_output=True, text=True).stdout
        return out.splitlines()[0]
    except OSError:
        return 'unknown'


def main():
    raw, outdir, kver, ours_label = sys.argv[1:5]
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
    with open(dat, 'w') as f:
        for i, r in enumerate(plotted):
            # Grey: the same (icount within 2 %, wall within the spread).
            colour = 0x909090 if r[8] else 0x3a9a3a if r[6] > 1 else 0xc03030
            f.write(f'{i} "{r[0]} {r[1]} ({r[2]})" {r[6]:.4f} {colour}\n')
    png = os.path.join(outdir, 'ratios.png')
    script = f'''
set terminal pngcairo size 1100,{200 + 28 * len(plotted)} font ",10" noenhanced
set output "{png}"
set title "ours vs stock 6.12: relative speed (above 1 = ours faster; grey: the same, within 2 % or the spread)"
set style fill solid 0.6
set yrange [-0.5:{len(plotted) - 0.5}]
set xrange [0:*]
set ytics ()
set grid x
unset key
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb "black"
plot "{dat}" using (($3)/2):1:(($3)/2):(0.35):4:ytic(2) with boxxyerror lc rgb variable
'''
    try:
        subprocess.run(['gnuplot'], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f'bench: no plot ({e})', file=sys.stderr)


if __name__ == '__main__':
    main()
