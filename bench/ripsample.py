#!/usr/bin/env python3
"""bench/ripsample.py: where a guest's vCPUs spend their time under TCG, with nothing in the guest.

    bench/ripsample.py [OPTIONS] -- QEMU-COMMAND...   start QEMU-COMMAND and sample it
    bench/ripsample.py [OPTIONS] --socket PATH        sample a QEMU already running with
                                                      -monitor unix:PATH,server,nowait
Options: --map System.map (names for kernel addresses; others stay hex), --seconds S (default
4), --every MS (pause between samples; default none), --bin MS (default 50), --cpus N
(default: QEMU-COMMAND's -smp, or 1).

Asks QEMU's monitor for each vCPU's registers in turn for S seconds, then prints the host time
of the first sample (to line the bins up with a console's timestamps) and, per bin of MS
milliseconds, each vCPU's three most sampled functions. The guest needs no tracing, no symbols
and no console: this is how restore-B's boot and the jump back were taken apart
(docs/bench/README.md, "Restore-B's boot and the jump back, sampled"). Each sample stops the
vCPUs: a sampled resume took 2 to 2.5 times as long as an unsampled one, even with --every 20.
Read the shares and the order of the phases, not their times.
"""
import argparse
import bisect
import collections
import os
import re
import socket
import subprocess
import sys
import tempfile
import time


def load_map(path):
    syms = []
    if path:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[1] in 'tTwW':
                    syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def name_of(addrs, names, rip):
    i = bisect.bisect_right(addrs, rip) - 1
    return names[i] if i >= 0 and rip >= 0xffffffff00000000 else hex(rip)


class Monitor:
    """QEMU's human monitor: one command at a time, answered up to the next prompt."""

    def __init__(self, path, deadline):
        self.sock = socket.socket(socket.AF_UNIX)
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.01)
        self.sock.settimeout(2)
        self.ask('')

    def ask(self, command):
        self.sock.sendall((command + '\n').encode())
        buf = b''
        while not buf.rstrip().endswith(b'(qemu)'):
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            buf += data
        return buf.decode(errors='replace')


def sample(mon, cpus, seconds, every, out):
    start = time.time()
    while time.time() - start < seconds:
        for cpu in range(cpus):
            mon.ask('cpu %d' % cpu)
            m = re.search(r'RIP=([0-9a-f]+)', mon.ask('info registers'))
            if m:
                out.append((time.time(), cpu, int(m.group(1), 16)))
        time.sleep(every)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--map', help="the guest kernel's System.map")
    ap.add_argument('--seconds', type=float, default=4)
    ap.add_argument('--bin', type=int, default=50)
    ap.add_argument('--every', type=int, default=0, help='milliseconds between samples')
    ap.add_argument('--cpus', type=int, help="vCPUs (default: QEMU-COMMAND's -smp, or 1)")
    ap.add_argument('--socket', help="a running QEMU's monitor socket")
    ap.add_argument('qemu', nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.qemu[1:] if a.qemu[:1] == ['--'] else a.qemu
    if bool(cmd) == bool(a.socket):
        ap.error('one of: -- QEMU-COMMAND..., --socket PATH')
    smp = re.match(r'(?:cpus=)?(\d+)', cmd[cmd.index('-smp') + 1]) if '-smp' in cmd else None
    cpus = a.cpus or (int(smp.group(1)) if smp else 1)
    addrs, names = load_map(a.map)
    with tempfile.TemporaryDirectory() as tmp:
        path, qemu = a.socket or os.path.join(tmp, 'monitor'), None
        if cmd:
            qemu = subprocess.Popen(cmd + ['-monitor', 'unix:%s,server,nowait' % path],
                                    stdout=subprocess.DEVNULL)
        samples = []
        try:
            samples = sample(Monitor(path, time.time() + 10), cpus, a.seconds, a.every / 1000, samples)
        except (OSError, EOFError) as e:
            # QEMU ended (the guest powered off): what was taken stands.
            print('ripsample: %s after %d samples' % (e, len(samples)), file=sys.stderr)
        finally:
            if qemu:
                qemu.terminate()
                qemu.wait()
    bins = collections.defaultdict(collections.Counter)
    for t, cpu, rip in samples:
        bins[int((t - samples[0][0]) * 1000 // a.bin), cpu][name_of(addrs, names, rip)] += 1
    if samples:
        print('# %d samples from %.3f (host time, seconds since the epoch)' % (len(samples), samples[0][0]))
    for (b, cpu), c in sorted(bins.items()):
        top = ', '.join('%s %d' % kv for kv in c.most_common(3))
        print('%6.2f s  cpu%d  %s' % (b * a.bin / 1000, cpu, top))
    return 0 if samples else 1


if __name__ == '__main__':
    sys.exit(main())
