"""Timeline pictures of make bench (imported by bench/report.py): for one case (size or scenario),
the phases of hibernate and of resume of every configuration, side by side on one time axis
from 0, as SVG written by hand (standard library only; renders in any browser).

Each bar is a configuration's phase medians laid end to end (so its length is their sum, which
may differ a little from the median of the totals in the tables). A phase is labelled inside its
segment when the label fits; every segment carries a tooltip; the legend under the panels says
what each phase is. After "resumed" the resume bar goes on with the working set coming back
(lighter, hatched): the workload re-reading its file and touching its anonymous pages.
"""
from xml.sax.saxutils import escape

# phase -> (colour, what it is). Same name, same colour in both systems.
PHASES = {
    'preflight': ('#e8a33d', 'khibernate: checks, swap slots reserved, helper loaded'),
    'freeze': ('#f3c983', 'kernel: sync, tasks frozen'),
    'jump_to_b': ('#9ecae1', 'A frozen, devices suspended, jump to helper B'),
    'b_boot': ('#4a8fc4', 'helper B boots to its /init'),
    'preallocate': ('#d95f5f', 'kernel: reclaim to image_size (swap-out, cache dropped)'),
    'copy': ('#b5d99c', 'kernel: devices frozen, atomic copy of memory'),
    'snapshot': ('#b5d99c', 'kernel: freeze, reclaim, atomic copy (older runs, one phase)'),
    'write': ('#3a9d5d', 'image compressed, checksummed, written'),
    'commit': ('#8073ac', 'khibernate: header written last, sync'),
    'power_off': ('#c9c6e0', 'power-off until QEMU exits'),
    'firmware': ('#d4e3f2', 'firmware until the boot kernel starts'),
    'boot': ('#7fb2da', 'boot kernel up to its /init (kernel: up to its resume= look-up)'),
    'find_load': ('#2a6aa8', 'khibernate hook: find image, mark it consumed, load restore-B'),
    'verify': ('#f5b06b', 'khibernate: whole image read and checked (older runs: a pass before restore)'),
    'read': ('#3a9d5d', 'kernel: image read and decompressed'),
    'restore': ('#e0712b', 'khibernate: image read, checked, unpacked, copied into A (one pass); '
                'kernel: pages put in place'),
    'jump_back': ('#a49fcb', 'jump back into A'),
    'device_resume': ('#dedcec', "A's CPUs and devices resumed"),
    'to_userspace': ('#777777', 'back in the hibernating command'),
    'files_back': ('#f7b6d2', 'working set: the workload re-reads its file'),
    'anon_back': ('#d6609e', 'working set: the workload touches every anonymous page'),
}
OTHER = '#bbbbbb'
AFTER_RESUMED = ('files_back', 'anon_back')
SKIP = ('verify_workload',)  # the bench's own content check, not part of resuming

W, LEFT, RIGHT = 1000, 110, 70
ROW, BAR = 24, 17
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


def _nice_step(limit):
    for step in (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300):
        if limit / step <= 12:
            return step
    return 600


def _text_width(text, size=11):
    return len(text) * size * 0.6


def _dark(colour):
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 140


def _bars(rows, boot):
    """[(config, [(phase, seconds)])] of the rows that have phases for this boot."""
    out = []
    for s in rows:
        ph = [(n, v) for n, v in s['phases'].get(boot, {}).items() if n not in SKIP and v > 0]
        if ph:
            out.append((s['config'], ph))
    return out


def svg(rows, title, subtitle=''):
    """The SVG text for one case: rows are the case's summaries (report.py's summarise())."""
    resume = _bars(rows, 'resume')
    back = any(p in AFTER_RESUMED for _, ph in resume for p, _ in ph)
    panels = [('hibernate: command to power-off', _bars(rows, 'save')),
              ('resume: QEMU start to resumed' + (', then the working set back' if back else ''),
               resume)]
    longest = max((sum(v for _, v in ph) for _, bars in panels for _, ph in bars), default=1)
    step = _nice_step(longest)
    limit = step * (int(longest / step) + 1)
    scale = (W - LEFT - RIGHT) / limit
    x = lambda t: LEFT + t * scale
    used = []
    out = []
    y = 48
    out.append('<text x="%d" y="20" font-size="15" font-weight="bold" %s>%s</text>'
               % (10, FONT, escape(title)))
    if subtitle:
        out.append('<text x="10" y="37" font-size="11" fill="#444" %s>%s</text>'
                   % (FONT, escape(subtitle)))
    for name, bars in panels:
        y += 18
        out.append('<text x="10" y="%d" font-size="13" font-weight="bold" %s>%s</text>'
                   % (y, FONT, escape(name)))
        y += 8
        top = y
        height = max(len(bars), 1) * ROW
        t = 0.0
        while t <= limit + 1e-9:  # grid and axis
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e3e3e3"/>'
                       % (x(t), top, x(t), top + height))
            out.append('<text x="%.1f" y="%d" font-size="10" fill="#555" text-anchor="middle" '
                       '%s>%g s</text>' % (x(t), top + height + 12, FONT, t))
            t += step
        for config, ph in bars:
            out.append('<text x="%d" y="%d" font-size="12" text-anchor="end" %s>%s</text>'
                       % (LEFT - 8, y + BAR - 4, FONT, escape(config)))
            t, resumed = 0.0, None
            for phase, v in ph:
                if phase in AFTER_RESUMED and resumed is None:
                    resumed = t
                colour = PHASES.get(phase, (OTHER, ''))[0]
                if phase not in used:
                    used.append(phase)
                fill = colour if phase not in AFTER_RESUMED else 'url(#hatch-%s)' % phase
                out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" '
                           'stroke="#fff" stroke-width="0.6"><title>%s: %.2f s (from %.2f s)'
                           '</title></rect>' % (x(t), y, v * scale, BAR, fill, escape(config)
                                                + ' ' + phase, v, t))
                for label in ('%s %.1f' % (phase, v), phase):
                    if _text_width(label, 10) + 4 <= v * scale:
                        out.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle" '
                                   'fill="%s" pointer-events="none" %s>%s</text>'
                                   % (x(t + v / 2), y + BAR - 5,
                                      '#fff' if _dark(colour) else '#000', FONT, escape(label)))
                        break
                t += v
            end = '%.1f s' % t
            if resumed is not None:
                out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" '
                           'stroke-width="1.5"/>' % (x(resumed), y - 2, x(resumed), y + BAR + 2))
                end = 'resumed %.1f s, working set back %.1f s' % (resumed, t)
                if x(t) + 4 + _text_width(end) > W - 4:
                    end = '%.1f s / %.1f s' % (resumed, t)
            out.append('<text x="%.1f" y="%d" font-size="11" %s>%s</text>'
                       % (x(t) + 4, y + BAR - 4, FONT, escape(end)))
            y += ROW
        if not bars:
            out.append('<text x="%d" y="%d" font-size="11" fill="#777" %s>no run with phases'
                       '</text>' % (LEFT, y + BAR - 4, FONT))
            y += ROW
        y += 16
    y += 10
    out.append('<text x="10" y="%d" font-size="12" font-weight="bold" %s>phases</text>'
               % (y, FONT))
    y += 6
    half = (W - 20) // 2
    per_col = (len(used) + 1) // 2
    for i, phase in enumerate(used):
        colour, what = PHASES.get(phase, (OTHER, ''))
        lx, ly = 10 + (i // per_col) * half, y + (i % per_col) * 17
        fill = colour if phase not in AFTER_RESUMED else 'url(#hatch-%s)' % phase
        out.append('<rect x="%d" y="%d" width="14" height="12" fill="%s" stroke="#999" '
                   'stroke-width="0.5"/>' % (lx, ly, fill))
        out.append('<text x="%d" y="%d" font-size="10.5" %s><tspan font-weight="bold">%s'
                   '</tspan> %s</text>' % (lx + 19, ly + 10, FONT, escape(phase), escape(what)))
    y += per_col * 17 + 10
    defs = ''.join(
        '<pattern id="hatch-%s" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="%s"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2" opacity="0.6"/>'
        '</pattern>' % (p, PHASES[p][0]) for p in AFTER_RESUMED)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
            'viewBox="0 0 %d %d">\n<defs>%s</defs>\n<rect width="100%%" height="100%%" '
            'fill="#fff"/>\n%s\n</svg>\n' % (W, y, W, y, defs, '\n'.join(out)))
