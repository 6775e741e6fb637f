#!/usr/bin/env python3
"""Measure one make-bench run from the files the harness and bench/qemu-wrap.sh left.

  record.py alloc DISK START_MIB LEN_MIB   bytes allocated in that range of a sparse disk image
  record.py run DIR CONFIG CASE GUEST_MIB N   one JSON line: the run's figures and phases
      (CASE: the BENCH_SIZES entry, MiB of mixed data in use or full:GUEST_MIB)
"""
import json
import os
import re
import sys

INIT = r'Run /init as init process'

# After resumed, both systems: the workload re-reads its file and touches every anonymous page
# (tests/workloads/bench/back); then verify checks the content (the bench's own check).
WORKING_SET = [
    ('files_back', ('mark', 'files_back')),
    ('anon_back', ('mark', 'working_set_back')),
    ('verify_workload', ('mark', 'verified')),
]

# Restore-B's part of a khibernate resume, however B was started: open and metadata checked,
# then one pass (runs before issue 17 had a 'verify' phase), the jump back, A's userspace.
B_RESTORE = [
    ('restore', ('line', r'khib-helper: restoring 100%.* in all')),
    ('jump_back', ('line', r'Restarting tasks')),
    ('to_userspace', ('mark', 'resumed')),
] + WORKING_SET

# Each boot's phases, in order: (name, event that ends it). The first event starts the boot's
# clock. Events: ('start',) and ('end',) of the QEMU process; ('mark', NAME) from the guest's
# results; ('line', REGEX): the next console line matching it; ('kstart', REGEX): the start of
# the kernel that printed the next such line (host time of the line minus its printk time).
PHASES = {
    ('khibernate', 'save'): [
        ('', ('mark', 'hibernate')),
        ('preflight', ('line', r'khibernate: jumping to the helper kernel')),
        ('jump_to_b', ('kstart', INIT)),
        ('b_boot', ('line', INIT)),
        ('write', ('line', r'khib-helper: saving 100%.* in all')),
        ('commit', ('line', r'khib-helper: image committed')),
        ('power_off', ('end',)),
    ],
    ('khibernate', 'resume'): [
        ('', ('start',)),
        ('firmware', ('kstart', INIT)),
        ('boot', ('line', INIT)),
        ('find_load', ('kstart', INIT)),
        ('b_boot', ('line', INIT)),
    ] + B_RESTORE,
    # direct-*: GRUB starts restore-B (bench/grub.sh); 'firmware' includes GRUB
    ('khibernate', 'direct'): [
        ('', ('start',)),
        ('firmware', ('kstart', INIT)),
        ('b_boot', ('line', INIT)),
    ] + B_RESTORE,
    ('kernel', 'save'): [
        ('', ('mark', 'hibernate')),
        # sync, freeze tasks; reclaim down to image_size (swap-out, page cache dropped) while
        # allocating the copy's pages; atomic copy. Runs before 2026-12-02: one 'snapshot'.
        ('freeze', ('line', r'PM: hibernation: Preallocating image memory')),
        ('preallocate', ('line', r'PM: hibernation: Allocated \d+ kbytes in')),
        ('copy', ('line', r'PM: Compressing and saving image data')),
        ('write', ('line', r'PM: Image saving done')),
        ('power_off', ('end',)),
    ],
    ('kernel', 'resume'): [
        ('', ('start',)),
        # the kernel looks for its image itself (resume=), before the initramfs's /init
        ('boot', ('line', r'PM: hibernation: resume from hibernation')),
        ('read', ('line', r'PM: Image loading done')),
        ('restore', ('line', r'Restarting tasks')),
        ('to_userspace', ('mark', 'resumed')),
    ] + WORKING_SET,
}


def allocated(path, start, length):
    """Bytes of [start, start+length) that hold data (SEEK_DATA/SEEK_HOLE): a fresh sparse disk
    has holes everywhere the guest never wrote."""
    total, pos, end = 0, start, start + length
    with open(path, 'rb') as f:
        fd = f.fileno()
        while pos < end:
            try:
                data = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                break
            if data >= end:
                break
            hole = min(os.lseek(fd, data, os.SEEK_HOLE), end)
            total += hole - data
            pos = hole
    return total


def read_lines(path):
    """[(host time, text)] of a NAME.results or NAME.ctimes file; [] if there is none."""
    out = []
    try:
        with open(path, errors='replace') as f:
            for line in f:
                t, _, text = line.rstrip('\n').partition(' ')
                out.append((float(t), text))
    except (OSError, ValueError):
        pass
    return out


def read_float(path):
    try:
        with open(path) as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class Boot:
    """One QEMU process of a run: its console lines, guest reports and host-side samples."""

    def __init__(self, d, name):
        p = os.path.join(d, name)
        self.start, self.end = read_float(p + '.start'), read_float(p + '.end')
        self.console = read_lines(p + '.ctimes')
        self.results = read_lines(p + '.results')
        self.io = [tuple(map(float, l.split())) for l in open_lines(p + '.io') if len(l.split()) == 3]

    def mark(self, name):
        return next((t for t, x in self.results if x == 'MARK ' + name), None)

    def kv(self, key):
        return next((x.split(' ', 2)[2] for t, x in self.results
                     if x.startswith('KV %s ' % key)), None)

    def phases(self, spec):
        """{phase: seconds} for the events of spec that happened, in order."""
        out, prev, cur = {}, None, -1
        for name, ev in spec:
            t = None
            if ev[0] == 'start':
                t = self.start
            elif ev[0] == 'end':
                t = self.end
            elif ev[0] == 'mark':
                t = self.mark(ev[1])
                if t is not None:
                    cur = max(cur, next((i for i, (lt, _) in enumerate(self.console) if lt >= t),
                                        len(self.console)) - 1)
            else:
                i = next((i for i in range(cur + 1, len(self.console))
                          if re.search(ev[1], self.console[i][1])), None)
                if i is not None:
                    t = self.console[i][0]
                    if ev[0] == 'kstart':
                        m = re.match(r'\[\s*([0-9.]+)\]', self.console[i][1])
                        t = t - float(m.group(1)) if m else None
                        i -= 1
                    cur = i
            if t is None:
                break
            if prev is not None and name:
                out[name] = round(t - prev, 3)
            prev = t
        return out

    def device_resume(self, after):
        """Seconds A spent bringing CPUs and devices back after it got control again, by its own
        printk clock (its console is suspended then: the lines reach the host all at once)."""
        i = next((i for i, (_, x) in enumerate(self.console) if re.search(after, x)), None)
        if i is None:
            return None
        ts = {}
        for _, x in self.console[i:]:
            m = re.match(r'\[\s*([0-9.]+)\] (Enabling non-boot CPUs|Restarting tasks)', x)
            if m and m.group(2) not in ts:
                ts[m.group(2)] = float(m.group(1))
        if len(ts) < 2:
            return None
        return round(ts['Restarting tasks'] - ts['Enabling non-boot CPUs'], 3)

    def sample(self, t):
        """(wchar, cpu ticks) of QEMU at host time t: the last sample taken by then."""
        s = [x for x in self.io if x[0] <= t] or self.io[:1]
        return s[-1][1:] if s else (None, None)


def open_lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except OSError:
        return []


def span(a, b):
    return round(b - a, 3) if a is not None and b is not None else None


def state(boot, name):
    """The workload's counters reported as KV state_NAME (tests/workloads/bench/state)."""
    v = boot.kv('state_' + name)
    return {k: int(x) for k, x in re.findall(r'(\w+)=(\d+)', v)} if v else None


def memory(before, resumed, back):
    """What the hibernation did to the workload's memory, from its counters before it, right
    after the resume and once the working set is back: swapped out and page cache dropped to fit
    the image (the kernel's hibernation, down to image_size), then read back. Bytes."""
    if not before or not resumed:
        return None
    kib = lambda st, k: st[k] * 1024 if st and k in st else None
    swap = lambda st: kib(st, 'SwapTotal') - kib(st, 'SwapFree') if st and 'SwapFree' in st else None
    sect = lambda a, b, k: (b[k] - a[k]) * 512 if a and b and k in a and k in b else None
    m = {'before': before, 'resumed': resumed, 'back': back,
         'swap_used': [swap(before), swap(resumed), swap(back)],
         'cached': [kib(before, 'Cached'), kib(resumed, 'Cached'), kib(back, 'Cached')],
         'anon': [kib(before, 'AnonPages'), kib(resumed, 'AnonPages'), kib(back, 'AnonPages')],
         'swapped_out_bytes': None, 'cache_dropped_bytes': None,
         # A's writes to swap between the two: the kernel's swap-out (its image is written
         # after the snapshot, so A's counters never see it; khibernate's image is B's I/O)
         'swap_written_bytes': sect(before, resumed, 'vda1_wr'),
         'swap_read_back_bytes': sect(resumed, back, 'vda1_rd'),
         'files_read_back_bytes': sect(resumed, back, 'vda2_rd')}
    if None not in m['swap_used'][:2]:
        m['swapped_out_bytes'] = m['swap_used'][1] - m['swap_used'][0]
    if None not in m['cached'][:2]:
        m['cache_dropped_bytes'] = m['cached'][0] - m['cached'][1]
    return m


def qemu_cpu(d, name):
    """The -cpu QEMU ran the boot with (bench/qemu-wrap.sh's NAME.argv), 'default' without one."""
    args = open_lines(os.path.join(d, name + '.argv'))
    if not args:
        return None
    return next((args[i + 1] for i in range(len(args) - 1) if args[i] == '-cpu'), 'default')


def record(d, config, case, guest, n):
    system = 'khibernate' if config.startswith(('khib-', 'direct-')) else 'kernel'
    alg = config.split('-')[1]
    save, res = Boot(d, 'save'), Boot(d, 'resume')
    t_hib = save.mark('hibernate')
    full = case.startswith('full')
    rec = {
        'config': config, 'system': system, 'compress': alg, 'case': case,
        'scenario': 'full' if full else 'mixed',
        'size_mib': int(save.kv('workload_mib') or 0) if full else int(case),
        'guest_mib': guest,
        'run': n, 'threads': int(config.split('-')[2]) if system == 'khibernate' else None,
        'ok': any(x.startswith('RESULT PASS') for _, x in res.results),
        'result': next((x[7:] for _, x in save.results + res.results if x.startswith('RESULT ')),
                       'no verdict'),
        'mem_in_use': int(save.kv('mem_in_use_kib') or 0) * 1024,
        'mem_total': None,
        # command to power-off; QEMU start to resumed, to the working set back in memory and
        # to verified; the restoring part: from the moment the booted kernel looks for the
        # image (its /init for khibernate's hook, its own resume= code for the kernel) to
        # resumed.
        'hibernate_s': span(t_hib, save.end),
        'resume_s': span(res.start, res.mark('resumed')),
        'working_set_s': span(res.start, res.mark('working_set_back')),
        'verified_s': span(res.start, res.mark('verified')),
        'restore_s': None,
        'image_bytes': None, 'written_bytes': None,
        # the kernel's /sys/power/image_size as it hibernated (bytes)
        'kernel_image_size': int(save.kv('image_size')) if save.kv('image_size') else None,
        'cpu': {'model': save.kv('cpu_model'), 'flags_md5': save.kv('cpu_flags'),
                'qemu': [qemu_cpu(d, 'save'), qemu_cpu(d, 'resume')]},
        'phases': {'save': save.phases(PHASES[system, 'save']),
                   'resume': res.phases(PHASES[system, 'direct' if config.startswith('direct-')
                                                else 'resume'])},
    }
    before = state(save, 'before')
    rec['memory'] = memory(before, state(res, 'resumed'), state(res, 'back'))
    if before and 'MemTotal' in before:
        rec['mem_total'] = before['MemTotal'] * 1024
    # split the return into A into the jump and A's device resume
    ph = rec['phases']['resume']
    name, after = (('jump_back', r'khib-helper: memory restored') if system == 'khibernate'
                   else ('restore', r'PM: Image loading done'))
    dev = res.device_resume(after)
    if dev is not None and name in ph:
        rec['phases']['resume'] = {n: v for k, v0 in ph.items() for n, v in (
            [(k, round(v0 - dev, 3)), ('device_resume', dev)] if k == name else [(k, v0)])}
    ph = rec['phases']['resume']
    if 'boot' in ph and rec['resume_s'] is not None:
        rec['restore_s'] = round(rec['resume_s'] - ph['boot'] - ph.get('firmware', 0), 3)
    elif 'firmware' in ph and rec['resume_s'] is not None:  # direct: B looks for the image
        rec['restore_s'] = round(rec['resume_s'] - ph['firmware'], 3)
    before, after = read_float(os.path.join(d, 'swap.before')), read_float(os.path.join(d, 'swap.after'))
    if before is not None and after is not None:
        # less what A itself swapped out before its snapshot (the kernel's reclaim to
        # image_size): that lies on the swap partition too, but is not the image
        out = (rec['memory'] or {}).get('swap_written_bytes') or 0
        rec['image_bytes'] = int(after - before - out)
    if t_hib is not None and save.end is not None and save.io:
        (w0, c0), (w1, c1) = save.sample(t_hib), save.sample(save.end)
        rec['written_bytes'] = int(w1 - w0)
        rec['save_cpus_busy'] = round((c1 - c0) / 100 / (save.end - t_hib), 2)
    if res.start is not None and res.mark('resumed') is not None and res.io:
        (_, c0), (_, c1) = res.sample(res.start), res.sample(res.mark('resumed'))
        rec['resume_cpus_busy'] = round((c1 - c0) / 100 / (res.mark('resumed') - res.start), 2)
    # the helper's own figures of the save (a helper that prints them: helper/main.c)
    line = next((x for _, x in save.console if x.startswith('khib-helper: save: ')), None)
    if line:
        rec['helper_save'] = {k: float(v) for k, v in re.findall(r'(\w+) ([0-9.]+) s\b', line)}
    stats = res.kv('khib_stats')
    if stats:
        try:
            rec['khibernate_stats'] = json.loads(stats)
        except ValueError:
            pass
    return rec


def main(argv):
    if len(argv) == 7 and argv[1] == 'run':
        print(json.dumps(record(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]))))
        return 0
    if len(argv) == 5 and argv[1] == 'alloc':
        print(allocated(argv[2], int(argv[3]) << 20, int(argv[4]) << 20))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
