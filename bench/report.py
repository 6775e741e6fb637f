#!/usr/bin/env python3
"""Summarise make-bench runs: medians and spread, ratios khibernate / kernel, plots.

  report.py --brief < RUN.jsonl        one line per run (progress while the bench runs)
  report.py --out DIR RUNS.jsonl
      DIR/results.json  every run, raw, and the summary; DIR/results.md  the tables;
      DIR/time-vs-memory.svg  the plot (gnuplot); DIR/timeline-CASE.svg  the phases of every
      configuration per case (bench/timeline.py). Ends with the ratios.
  report.py --timeline DIR/results.json   (re)draw DIR/timeline-CASE.svg from a results.json
  report.py --selftest                    check the report code against bench/test/runs.jsonl
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree

import timeline

MiB = 1 << 20
COLUMNS = ['hibernate_s', 'resume_s', 'restore_s', 'working_set_s', 'verified_s', 'image_bytes',
           'written_bytes']
RATIO = ['hibernate_s', 'resume_s', 'image_bytes', 'working_set_s']
RATIO_NAMES = {'hibernate_s': 'hibernate', 'resume_s': 'resume', 'image_bytes': 'image size',
               'working_set_s': 'working set back'}
# what the hibernation did to memory (record.py's memory()), per run: bytes
MEMORY = ['swapped_out_bytes', 'cache_dropped_bytes', 'swap_read_back_bytes',
          'files_read_back_bytes']
HERE = os.path.dirname(os.path.abspath(__file__))


def case_of(r):
    """A run's case: the BENCH_SIZES entry (runs before the full scenario: their size)."""
    return r.get('case') or str(r['size_mib'])


def case_key(case):
    """Sort order: the sizes of mixed data, then memory nearly full by guest size."""
    full = case.startswith('full')
    return (full, int(case.split(':')[1]) if full else int(case))


def case_name(case):
    return 'memory nearly full, %s MiB guest' % case.split(':')[1] if case.startswith('full') \
        else '%s MiB in use' % case


def brief(r):
    mb = lambda v: '%.0f MB' % (v / 1e6) if v is not None else '-'
    m = r.get('memory') or {}
    mem = ''
    if r.get('scenario') == 'full':
        mem = '; %.0f%% of MemTotal in use, swapped out %s, cache dropped %s, read back %s + %s' % (
            100 * r['mem_in_use'] / r['mem_total'] if r.get('mem_total') else 0,
            mb(m.get('swapped_out_bytes')), mb(m.get('cache_dropped_bytes')),
            mb(m.get('swap_read_back_bytes')), mb(m.get('files_read_back_bytes')))
    return ('bench: %s %s run %d: %s; hibernate %s s, resume %s s (restore %s s), working set '
            'back %s s, verified %s s, image %s, written %s%s' % (
                r['config'], case_name(case_of(r)), r['run'],
                'ok' if r['ok'] else 'FAILED: ' + r['result'], r['hibernate_s'], r['resume_s'],
                r['restore_s'], r.get('working_set_s'), r['verified_s'], mb(r['image_bytes']),
                mb(r['written_bytes']), mem))


def stat(values):
    """Median and spread (half the range, relative to the median) of the values there are."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    med = statistics.median(v)
    return {'median': med, 'min': min(v), 'max': max(v), 'n': len(v),
            'spread': (max(v) - min(v)) / 2 / med if med else 0.0}


def paired(khib, kern, c):
    """Ratios of column c, run k of a configuration against run k of the kernel's: make bench
    runs the configurations of one run number back to back, so a pair shares the host's state
    of that moment, where medians taken apart mix a fast run of one with a slow run of the other.
    khib, kern: {run number: record}. @return the stat() of the pairs' ratios, or None."""
    return stat([khib[k][c] / kern[k][c] for k in sorted(khib.keys() & kern.keys())
                 if khib[k].get(c) is not None and kern[k].get(c)])


def summarise(runs):
    groups = {}
    for r in runs:
        groups.setdefault((case_of(r), r['config']), []).append(r)
    out = []
    for (case, config), rs in sorted(groups.items(), key=lambda g: (case_key(g[0][0]), g[0][1])):
        ok = [r for r in rs if r['ok']]
        s = {'case': case, 'scenario': rs[0].get('scenario', 'mixed'),
             'size_mib': statistics.median(r['size_mib'] for r in rs), 'config': config,
             'system': rs[0]['system'], 'guest_mib': rs[0]['guest_mib'], 'runs': len(rs),
             'ok': len(ok), 'mem_in_use': stat([r['mem_in_use'] for r in ok]),
             'mem_total': stat([r.get('mem_total') for r in ok])}
        for c in COLUMNS:
            s[c] = stat([r.get(c) for r in ok])
        s['memory'] = {c: stat([(r.get('memory') or {}).get(c) for r in ok]) for c in MEMORY}
        s['kernel_image_size'] = stat([r.get('kernel_image_size') for r in ok])
        s['phases'] = {}
        for boot in ('save', 'resume'):
            names = [n for r in ok for n in r['phases'][boot]]
            s['phases'][boot] = {n: statistics.median(r['phases'][boot][n] for r in ok
                                                      if n in r['phases'][boot])
                                 for n in dict.fromkeys(names)}
        out.append(s)
    # ratio khibernate / kernel: against the kernel's better configuration at that size, of the
    # medians and paired by run
    ok_by_run = {key: {r['run']: r for r in rs if r['ok']} for key, rs in groups.items()}
    for s in out:
        kern = [k for k in out if k['case'] == s['case'] and k['system'] == 'kernel']
        s['ratio'], s['paired'] = {}, {}
        for c in RATIO:
            best = min((k for k in kern if k[c]), key=lambda k: k[c]['median'], default=None)
            s['ratio'][c] = s[c]['median'] / best[c]['median'] if s[c] and best else None
            s['paired'][c] = paired(ok_by_run[(s['case'], s['config'])],
                                    ok_by_run[(s['case'], best['config'])], c) \
                if s['system'] == 'khibernate' and best else None
    return out


def fmt_s(st):
    return '%.1f ±%.0f%%' % (st['median'], 100 * st['spread']) if st else '-'


def fmt_mb(st):
    return '%.0f' % (round(st['median'] / 1e6) + 0.0) if st else '-'  # + 0.0: no "-0"


def fmt_ratio(v):
    return '%.2f' % v if v is not None else '-'


def in_use(s):
    """'1140 MiB (3 GiB)'; memory nearly full: '1530 MiB, 85% (2 GiB)' (% of MemTotal)."""
    if not s['mem_in_use']:
        return case_name(s['case'])
    pct = ', %.0f%%' % (100 * s['mem_in_use']['median'] / s['mem_total']['median']) \
        if s['scenario'] == 'full' and s['mem_total'] else ''
    return '%.0f MiB%s (%g GiB)' % (s['mem_in_use']['median'] / MiB, pct, s['guest_mib'] / 1024)


def table(summary):
    lines = ['| in use (guest RAM) | system | hibernate s | ÷ kernel | resume s | ÷ kernel '
             '| of which restoring s | working set back s | ÷ kernel | image MB | ÷ kernel '
             '| written MB | ok |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    for s in summary:
        kern = s['system'] == 'kernel'
        ratio = lambda c: '' if kern else fmt_ratio(s['ratio'][c])
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d/%d |' % (
            in_use(s), s['config'], fmt_s(s['hibernate_s']), ratio('hibernate_s'),
            fmt_s(s['resume_s']), ratio('resume_s'), fmt_s(s['restore_s']),
            fmt_s(s['working_set_s']), ratio('working_set_s'), fmt_mb(s['image_bytes']),
            ratio('image_bytes'), fmt_mb(s['written_bytes']), s['ok'], s['runs']))
    return '\n'.join(lines)


def memory_table(summary):
    """Memory nearly full: what each system gave up to fit its image and read back afterwards."""
    rows = [s for s in summary if s['scenario'] == 'full']
    if not rows:
        return ''
    lines = ['| in use (guest RAM) | system | kernel image_size MB | swapped out MB '
             '| page cache dropped MB | read back from swap MB | files re-read MB '
             '| file re-read s | anonymous pages back s | working set back s | ÷ kernel |',
             '|---|---|---|---|---|---|---|---|---|---|---|']
    for s in rows:
        m, ph = s['memory'], s['phases']['resume']
        sec = lambda n: '%.1f' % ph[n] if n in ph else '-'
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            in_use(s), s['config'],
            fmt_mb(s['kernel_image_size']) if s['system'] == 'kernel' else '-',
            fmt_mb(m['swapped_out_bytes']), fmt_mb(m['cache_dropped_bytes']),
            fmt_mb(m['swap_read_back_bytes']), fmt_mb(m['files_read_back_bytes']),
            sec('files_back'), sec('anon_back'), fmt_s(s['working_set_s']),
            '' if s['system'] == 'kernel' else fmt_ratio(s['ratio']['working_set_s'])))
    return '\n'.join(lines)


def phase_table(summary):
    lines = ['| case | system | hibernate phases (s) | resume phases (s) |', '|---|---|---|---|']
    for s in summary:
        f = lambda ph: ', '.join('%s %.2f' % (n, v) for n, v in ph.items()) or '-'
        lines.append('| %s | %s | %s | %s |' % (s['case'], s['config'], f(s['phases']['save']),
                                                f(s['phases']['resume'])))
    return '\n'.join(lines)


def ratio_lines(summary, md=False):
    """The ratios khibernate / kernel, one line per configuration and case, then the line the
    memory-nearly-full scenario is for: the working set back. md: as a Markdown list."""
    lines = []
    for s in summary:
        if s['system'] == 'khibernate':
            lines.append('%s, %s: %s' % (case_name(s['case']), s['config'], ', '.join(
                '%s %s' % (RATIO_NAMES[c], fmt_ratio(s['ratio'][c])) for c in RATIO)))
            pairs = [c for c in RATIO if s['paired'][c]]
            if pairs:
                lines.append('%s, %s, paired by run (median, lowest-highest of %d): %s' % (
                    case_name(s['case']), s['config'], s['paired'][pairs[0]]['n'], ', '.join(
                        '%s %s (%s-%s)' % (RATIO_NAMES[c], fmt_ratio(s['paired'][c]['median']),
                                           fmt_ratio(s['paired'][c]['min']),
                                           fmt_ratio(s['paired'][c]['max'])) for c in pairs)))
    for case in dict.fromkeys(s['case'] for s in summary):
        rows = [s for s in summary if s['case'] == case and s['working_set_s']]
        kern = [s for s in rows if s['system'] == 'kernel']
        khib = [s for s in rows if s['system'] == 'khibernate']
        if kern and khib:
            best = min(kern, key=lambda k: k['working_set_s']['median'])
            lines.append('working set back: khibernate / kernel, %s: %s (kernel: %s %.1f s)' % (
                case_name(case), ', '.join('%s %s (%.1f s)' % (
                    s['config'], fmt_ratio(s['ratio']['working_set_s']),
                    s['working_set_s']['median']) for s in khib),
                best['config'], best['working_set_s']['median']))
    head = ('Ratios khibernate / kernel (of the medians, and of the runs paired by number; the '
            'kernel\'s better configuration in each case):')
    return head + ('\n\n' + '\n'.join('- ' + l for l in lines) if md
                   else ''.join('\n  ' + l for l in lines))


def cpu_line(runs):
    """Both systems must run on the same CPU model (issue 17): say which, or that they differ."""
    seen = {}
    for r in runs:
        c = r.get('cpu')
        if c:
            key = '"%s" (flags md5 %s), QEMU -cpu %s' % (c['model'], c['flags_md5'],
                                                         '/'.join(sorted(set(map(str, c['qemu'])))))
            seen.setdefault(key, set()).add(r['config'])
    if not seen:
        return 'CPU model: not recorded in these runs.'
    if len(seen) == 1:
        return 'CPU model, the same in every run (%d, %s): %s.' % (
            sum(1 for r in runs if r.get('cpu')),
            ' and '.join(sorted({r['system'] for r in runs if r.get('cpu')})), next(iter(seen)))
    return 'CPU MODELS DIFFER between runs (compare nothing): %s.' % '; '.join(
        '%s in %s' % (k, ', '.join(sorted(v))) for k, v in seen.items())


# Re-entering a helper that booted once and waits parked in its region (docs/kjump.md, NOTES):
# what hibernation would pay instead of jump_to_b + b_boot.
REENTRY_S = 0.35


def lever_table(summary):
    """What the two known levers would give, estimated from the measured phases: B booted ahead
    of time (hibernate without jump_to_b and b_boot, plus a re-entry), and a one-shot boot entry
    that boots restore-B directly (resume without the boot kernel's boot and the hook)."""
    lines = ['| case | system | hibernate s | with B booted ahead | ÷ kernel | resume s '
             '| with a one-shot restore-B entry | ÷ kernel |', '|---|---|---|---|---|---|---|---|']
    for s in summary:
        sv, rs = s['phases']['save'], s['phases']['resume']
        if s['system'] != 'khibernate' or not s['hibernate_s'] or not s['resume_s'] \
                or not {'jump_to_b', 'b_boot'} <= set(sv) or not {'boot', 'find_load'} <= set(rs):
            continue
        kern = [k for k in summary if k['case'] == s['case'] and k['system'] == 'kernel']
        bh = min((k['hibernate_s']['median'] for k in kern if k['hibernate_s']), default=None)
        br = min((k['resume_s']['median'] for k in kern if k['resume_s']), default=None)
        h = s['hibernate_s']['median'] - sv['jump_to_b'] - sv['b_boot'] + REENTRY_S
        r = s['resume_s']['median'] - rs['boot'] - rs['find_load']
        lines.append('| %s | %s | %.1f | %.1f | %s | %.1f | %.1f | %s |' % (
            s['case'], s['config'], s['hibernate_s']['median'], h,
            fmt_ratio(h / bh if bh else None), s['resume_s']['median'], r,
            fmt_ratio(r / br if br else None)))
    return '\n'.join(lines)


def plot(summary, out_dir, work):
    """time-vs-memory.svg: hibernate and resume medians against memory in use, per config (the
    cases of mixed data; memory nearly full is another scenario)."""
    summary = [s for s in summary if s['scenario'] == 'mixed']
    svg = os.path.join(out_dir, 'time-vs-memory.svg')
    if not summary:  # no case to plot: no plot from an earlier run left beside these results
        if os.path.exists(svg):
            os.remove(svg)
        return
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
    subprocess.run(['gnuplot', '-e', 'dat="%s"; out="%s"; n=%d' % (dat, svg, len(configs)),
                    os.path.join(HERE, 'plot.gp')], check=True)


def timelines(summary, meta, out_dir):
    """DIR/timeline-CASE.svg for every case (and none left from an earlier run's cases)."""
    for name in os.listdir(out_dir):
        if name.startswith('timeline-') and name.endswith('.svg'):
            os.remove(os.path.join(out_dir, name))
    written = []
    for case in dict.fromkeys(s['case'] for s in summary):
        rows = [s for s in summary if s['case'] == case]
        runs = '/'.join(sorted({str(s['ok']) for s in rows}))
        used = [s for s in rows if s['mem_in_use']]
        what = case_name(case)
        if used and case.startswith('full'):
            u = used[0]
            what = 'memory nearly full: %.0f MiB in use%s of a %g GiB guest' % (
                u['mem_in_use']['median'] / MiB, ' (%.0f%% of MemTotal)' % (
                    100 * u['mem_in_use']['median'] / u['mem_total']['median'])
                if u['mem_total'] else '', u['guest_mib'] / 1024)
        elif used:
            what += ' (%.0f MiB measured, %g GiB guest)' % (
                used[0]['mem_in_use']['median'] / MiB, used[0]['guest_mib'] / 1024)
        title = 'make bench, %s; phase medians of %s runs' % (what, runs)
        sub = '%s, commit %s, %s; seconds of host time. Hover a segment for its value.' % (
            meta.get('date', '?'), meta.get('commit', '?'), meta.get('accel') or '?')
        path = os.path.join(out_dir, 'timeline-%s.svg' % case.replace(':', '-'))
        with open(path, 'w') as f:
            f.write(timeline.svg(rows, title, sub))
        written.append(path)
    return written


def report(runs, out, accel=None, work=None):
    """Everything --out writes; returns what make bench prints at the end."""
    summary = summarise(runs)
    os.makedirs(out, exist_ok=True)
    head = subprocess.run(['git', '-C', HERE, 'describe', '--always', '--dirty'],
                          capture_output=True, text=True).stdout.strip()
    meta = {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
            'commit': head, 'host_cpus': os.cpu_count(), 'host': platform.platform(),
            'accel': accel}
    with open(os.path.join(out, 'results.json'), 'w') as f:
        json.dump({'meta': meta, 'summary': summary, 'runs': runs}, f, indent=1)
        f.write('\n')
    note = ('%s, commit %s, %s, guest 2 vCPUs; median of %s runs, ± half the range. '
            'Ratios against the kernel\'s better compressor in each case. %s' % (
                meta['date'], head, meta['accel'] or '?',
                '/'.join(sorted({str(s['runs']) for s in summary})), cpu_line(runs)))
    mem = memory_table(summary)
    md = ('%s\n\n%s\n\n%s\n\n%sPhases (medians; timelines: `timeline-*.svg`):\n\n%s\n\n'
          'The known levers, estimated from these phases (re-entering a parked B: %.2f s):\n\n%s\n'
          % (note, table(summary), ratio_lines(summary, md=True),
             'Memory nearly full: what each system gave up to fit its image, and read back '
             'afterwards (medians):\n\n%s\n\n' % mem if mem else '', phase_table(summary),
             REENTRY_S, lever_table(summary)))
    with open(os.path.join(out, 'results.md'), 'w') as f:
        f.write('# make bench: latest results\n\n' + md)
    plot(summary, out, work or out)
    timelines(summary, meta, out)
    return '%s\n\n%s\n\n%s\n%s' % (table(summary), cpu_line(runs), ratio_lines(summary),
                                   '' if not mem else '\n' + mem + '\n')


def selftest():
    """The report code against a fixture (bench/test/runs.jsonl: runs of both systems in a case
    of mixed data and in memory nearly full), so that make check catches a broken report."""
    fixture = os.path.join(HERE, 'test', 'runs.jsonl')
    with open(fixture) as f:
        runs = [json.loads(l) for l in f if l.strip()]
    fail = []
    check = lambda ok, what: ok or fail.append(what)
    for r in runs:
        check('working set back' in brief(r), 'brief line of %s' % r['config'])
    summary = summarise(runs)
    cases = list(dict.fromkeys(s['case'] for s in summary))
    check(any(c.startswith('full') for c in cases) and len(cases) >= 2, 'cases %s' % cases)
    for s in summary:
        kern = [k for k in summary if k['case'] == s['case'] and k['system'] == 'kernel']
        for c in RATIO:
            best = min((k[c]['median'] for k in kern if k[c]), default=None)
            want = s[c]['median'] / best if s[c] and best else None
            check(s['ratio'][c] == want, 'ratio %s of %s %s' % (c, s['case'], s['config']))
    # paired by run: the full case has two kernel runs and one of khibernate, so one pair
    khib = [s for s in summary if s['system'] == 'khibernate' and s['case'].startswith('full')]
    for s in khib:
        k1 = [r for r in runs if r['config'] == 'kernel-lz4' and r['run'] == 1
              and case_of(r) == s['case']]
        want = [r['resume_s'] for r in runs if r['config'] == s['config'] and r['run'] == 1
                and case_of(r) == s['case']][0] / k1[0]['resume_s']
        check(s['paired']['resume_s']['n'] == 1 and s['paired']['resume_s']['median'] == want,
              'paired resume ratio of %s %s' % (s['case'], s['config']))
    with tempfile.TemporaryDirectory() as out:
        text = report(runs, out, accel='-accel tcg', work=out)
        check('working set back: khibernate / kernel' in text, 'the working set ratio line')
        check('paired by run (median, lowest-highest of 1)' in text, 'the paired ratio line')
        check('CPU model, the same' in text, 'the CPU model line: %s' % cpu_line(runs))
        check('swapped out' in text, 'the memory table')
        md = open(os.path.join(out, 'results.md')).read()
        for s in summary:
            check(s['config'] in md, '%s in results.md' % s['config'])
        json.load(open(os.path.join(out, 'results.json')))
        names = sorted(n for n in os.listdir(out) if n.startswith('timeline-'))
        check(names == sorted('timeline-%s.svg' % c.replace(':', '-') for c in cases),
              'timelines %s' % names)
        for c in cases:
            root = xml.etree.ElementTree.parse(
                os.path.join(out, 'timeline-%s.svg' % c.replace(':', '-'))).getroot()
            texts = ' '.join(t.text or '' for t in root.iter('{http://www.w3.org/2000/svg}text'))
            for s in summary:
                check(s['case'] != c or s['config'] in texts, '%s in the %s timeline'
                      % (s['config'], c))
            check('working set back' in texts, 'the working set in the %s timeline' % c)
    if fail:
        print('report selftest: FAILED: ' + '; '.join(fail))
        return 1
    print('report selftest: ok (%d runs, %d cases, %d rows)' % (len(runs), len(cases),
                                                                len(summary)))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--brief', action='store_true')
    ap.add_argument('--out')
    ap.add_argument('--timeline', metavar='RESULTS_JSON')
    ap.add_argument('--selftest', action='store_true')
    ap.add_argument('runs', nargs='?')
    a = ap.parse_args()
    if a.selftest:
        return selftest()
    if a.brief:
        for line in sys.stdin:
            print(brief(json.loads(line)))
        return 0
    if a.timeline:
        with open(a.timeline) as f:
            data = json.load(f)
        for path in timelines(summarise(data['runs']), data['meta'], os.path.dirname(a.timeline)):
            print(path)
        return 0
    if not a.out or not a.runs:
        ap.error('--out DIR and RUNS.jsonl are needed')
    with open(a.runs) as f:
        runs = [json.loads(l) for l in f if l.strip()]
    if not runs:
        sys.exit('report: no runs in %s' % a.runs)
    work = os.path.dirname(os.path.abspath(a.runs))
    accel = os.path.join(work, 'accel')
    print(report(runs, a.out, open(accel).read().strip() if os.path.exists(accel) else None,
                 work))
    return 0


if __name__ == '__main__':
    sys.exit(main())
