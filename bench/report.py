#!/usr/bin/env python3
"""Summarise make-bench runs: medians and spread, ratios khibernate / kernel, a plot.

  report.py --brief < RUN.jsonl        one line per run (progress while the bench runs)
  report.py --out DIR [--readme README.md] RUNS.jsonl
      DIR/results.json  every run, raw, and the summary; DIR/results.md  the tables;
      DIR/time-vs-memory.svg  the plot (gnuplot); README.md  its benchmark section's table
      (between the lines <!-- bench:begin --> and <!-- bench:end -->).
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

MiB = 1 << 20
COLUMNS = ['hibernate_s', 'resume_s', 'restore_s', 'verified_s', 'image_bytes', 'written_bytes']
RATIO = ['hibernate_s', 'resume_s', 'image_bytes']
HERE = os.path.dirname(os.path.abspath(__file__))


def brief(r):
    mb = lambda v: '%.0f MB' % (v / 1e6) if v else '-'
    return ('bench: %s %d MiB run %d: %s; hibernate %s s, resume %s s (restore %s s), verified %s s, '
            'image %s, written %s' % (r['config'], r['size_mib'], r['run'],
                                      'ok' if r['ok'] else 'FAILED: ' + r['result'],
                                      r['hibernate_s'], r['resume_s'], r['restore_s'],
                                      r['verified_s'], mb(r['image_bytes']), mb(r['written_bytes'])))


def stat(values):
    """Median and spread (half the range, relative to the median) of the values there are."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    med = statistics.median(v)
    return {'median': med, 'min': min(v), 'max': max(v), 'n': len(v),
            'spread': (max(v) - min(v)) / 2 / med if med else 0.0}


def summarise(runs):
    groups = {}
    for r in runs:
        groups.setdefault((r['size_mib'], r['config']), []).append(r)
    out = []
    for (size, config), rs in sorted(groups.items()):
        ok = [r for r in rs if r['ok']]
        s = {'size_mib': size, 'config': config, 'system': rs[0]['system'],
             'guest_mib': rs[0]['guest_mib'], 'runs': len(rs), 'ok': len(ok),
             'mem_in_use': stat([r['mem_in_use'] for r in ok])}
        for c in COLUMNS:
            s[c] = stat([r[c] for r in ok])
        s['phases'] = {}
        for boot in ('save', 'resume'):
            names = [n for r in ok for n in r['phases'][boot]]
            s['phases'][boot] = {n: statistics.median(r['phases'][boot][n] for r in ok
                                                      if n in r['phases'][boot])
                                 for n in dict.fromkeys(names)}
        out.append(s)
    # ratio khibernate / kernel: against the kernel's better configuration at that size
    for s in out:
        kern = [k for k in out if k['size_mib'] == s['size_mib'] and k['system'] == 'kernel']
        s['ratio'] = {}
        for c in RATIO:
            best = min((k[c]['median'] for k in kern if k[c]), default=None)
            s['ratio'][c] = s[c]['median'] / best if s[c] and best else None
    return out


def fmt_s(st):
    return '%.1f ±%.0f%%' % (st['median'], 100 * st['spread']) if st else '-'


def fmt_mb(st):
    return '%.0f' % (st['median'] / 1e6) if st else '-'


def fmt_ratio(v):
    return '%.2f' % v if v is not None else '-'


def table(summary):
    lines = ['| in use (guest RAM) | system | hibernate s | ÷ kernel | resume s | ÷ kernel '
             '| of which restoring s | to verified s | image MB | ÷ kernel | written MB | ok |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|']
    for s in summary:
        mem = '%.0f MiB (%d GiB)' % (s['mem_in_use']['median'] / MiB, s['guest_mib'] // 1024) \
            if s['mem_in_use'] else '%d MiB' % s['size_mib']
        kern = s['system'] == 'kernel'
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d/%d |' % (
            mem, s['config'], fmt_s(s['hibernate_s']),
            '' if kern else fmt_ratio(s['ratio']['hibernate_s']), fmt_s(s['resume_s']),
            '' if kern else fmt_ratio(s['ratio']['resume_s']), fmt_s(s['restore_s']),
            fmt_s(s['verified_s']), fmt_mb(s['image_bytes']),
            '' if kern else fmt_ratio(s['ratio']['image_bytes']), fmt_mb(s['written_bytes']),
            s['ok'], s['runs']))
    return '\n'.join(lines)


def phase_table(summary):
    lines = ['| in use | system | hibernate phases (s) | resume phases (s) |', '|---|---|---|---|']
    for s in summary:
        f = lambda ph: ', '.join('%s %.2f' % (n, v) for n, v in ph.items()) or '-'
        lines.append('| %d MiB | %s | %s | %s |' % (s['size_mib'], s['config'],
                                                   f(s['phases']['save']), f(s['phases']['resume'])))
    return '\n'.join(lines)


# Re-entering a helper that booted once and waits parked in its region (docs/kjump.md, NOTES):
# what hibernation would pay instead of jump_to_b + b_boot.
REENTRY_S = 0.35


def lever_table(summary):
    """What the two known levers would give, estimated from the measured phases: B booted ahead
    of time (hibernate without jump_to_b and b_boot, plus a re-entry), and a one-shot boot entry
    that boots restore-B directly (resume without the boot kernel's boot and the hook)."""
    lines = ['| in use | system | hibernate s | with B booted ahead | ÷ kernel | resume s '
             '| with a one-shot restore-B entry | ÷ kernel |', '|---|---|---|---|---|---|---|---|']
    for s in summary:
        sv, rs = s['phases']['save'], s['phases']['resume']
        if s['system'] != 'khibernate' or not s['hibernate_s'] or not s['resume_s'] \
                or not {'jump_to_b', 'b_boot'} <= set(sv) or not {'boot', 'find_load'} <= set(rs):
            continue
        kern = [k for k in summary if k['size_mib'] == s['size_mib'] and k['system'] == 'kernel']
        bh = min((k['hibernate_s']['median'] for k in kern if k['hibernate_s']), default=None)
        br = min((k['resume_s']['median'] for k in kern if k['resume_s']), default=None)
        h = s['hibernate_s']['median'] - sv['jump_to_b'] - sv['b_boot'] + REENTRY_S
        r = s['resume_s']['median'] - rs['boot'] - rs['find_load']
        lines.append('| %d MiB | %s | %.1f | %.1f | %s | %.1f | %.1f | %s |' % (
            s['size_mib'], s['config'], s['hibernate_s']['median'], h,
            fmt_ratio(h / bh if bh else None), s['resume_s']['median'], r,
            fmt_ratio(r / br if br else None)))
    return '\n'.join(lines)


def plot(summary, out_dir, work):
    """time-vs-memory.svg: hibernate and resume medians against memory in use, per config."""
    configs = list(dict.fromkeys(s['config'] for s in summary))
    dat = os.path.join(work, 'plot.dat')
    with open(dat, 'w') as f:
        for c in configs:
            f.write('"%s"\n' % c)
            for s in summary:
                if s['config'] == c and s['mem_in_use'] and s['hibernate_s'] and s['resume_s']:
                    f.write('%.0f %.3f %.3f\n' % (s['mem_in_use']['median'] / MiB,
                                                  s['hibernate_s']['median'], s['resume_s']['median']))
            f.write('\n\n')
    svg = os.path.join(out_dir, 'time-vs-memory.svg')
    subprocess.run(['gnuplot', '-e', 'dat="%s"; out="%s"; n=%d' % (dat, svg, len(configs)),
                    os.path.join(HERE, 'plot.gp')], check=True)


def replace_block(path, text):
    begin, end = '<!-- bench:begin -->', '<!-- bench:end -->'
    with open(path) as f:
        doc = f.read()
    block = '%s\n%s\n%s' % (begin, text, end)
    if begin in doc and end in doc:
        doc = doc[:doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip('\n') + '\n\n## Benchmark\n\n' + block + '\n'
    with open(path, 'w') as f:
        f.write(doc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--brief', action='store_true')
    ap.add_argument('--out')
    ap.add_argument('--readme')
    ap.add_argument('runs', nargs='?')
    a = ap.parse_args()
    if a.brief:
        for line in sys.stdin:
            print(brief(json.loads(line)))
        return 0
    if not a.out or not a.runs:
        ap.error('--out DIR and RUNS.jsonl are needed')
    with open(a.runs) as f:
        runs = [json.loads(l) for l in f if l.strip()]
    if not runs:
        sys.exit('report: no runs in %s' % a.runs)
    summary = summarise(runs)
    os.makedirs(a.out, exist_ok=True)
    head = subprocess.run(['git', '-C', HERE, 'describe', '--always', '--dirty'],
                          capture_output=True, text=True).stdout.strip()
    meta = {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
            'commit': head, 'host_cpus': os.cpu_count(), 'host': platform.platform(),
            'accel': open(os.path.join(os.path.dirname(a.runs), 'accel')).read().strip()
            if os.path.exists(os.path.join(os.path.dirname(a.runs), 'accel')) else None}
    with open(os.path.join(a.out, 'results.json'), 'w') as f:
        json.dump({'meta': meta, 'summary': summary, 'runs': runs}, f, indent=1)
        f.write('\n')
    note = ('%s, commit %s, %s, guest 2 vCPUs; median of %s runs, ± half the range. '
            'Ratios against the kernel\'s better compressor at that size.' % (
                meta['date'], head, meta['accel'] or '?',
                '/'.join(sorted({str(s['runs']) for s in summary}))))
    md = ('%s\n\n%s\n\nPhases (medians):\n\n%s\n\nThe known levers, estimated from these phases '
          '(re-entering a parked B: %.2f s):\n\n%s\n' % (note, table(summary), phase_table(summary),
                                                      REENTRY_S, lever_table(summary)))
    with open(os.path.join(a.out, 'results.md'), 'w') as f:
        f.write('# make bench: latest results\n\n' + md)
    plot(summary, a.out, os.path.dirname(os.path.abspath(a.runs)))
    if a.readme:
        replace_block(a.readme, '%s\n\n%s\n\nPhases, raw runs and the plot: `docs/bench/`.'
                      % (note, table(summary)))
    print(table(summary))
    return 0


if __name__ == '__main__':
    sys.exit(main())
