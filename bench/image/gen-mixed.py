#!/usr/bin/env python3
"""gen-mixed.py SIZE_MIB OUT: memory-like test data, deterministic.

Runs of 1..64 pages, each run zero (1/3), text-like (1/3: slices of the system's license
texts and man pages) or random (1/3), as RAM of a running system roughly is.
"""
import glob, gzip, random, sys

PG = 4096
size = int(sys.argv[1]) << 20
rnd = random.Random(1)
text = b''
for f in sorted(glob.glob('/usr/share/common-licenses/*')) + sorted(glob.glob('/usr/share/man/man1/*.gz'))[:200]:
    try:
        text += gzip.open(f).read() if f.endswith('.gz') else open(f, 'rb').read()
    except OSError:
        pass
text = (text * (1 + (2 << 20) // max(len(text), 1)))[: 2 << 20]
noise = rnd.randbytes(16 << 20)
zero = bytes(64 * PG)
with open(sys.argv[2], 'wb') as out:
    done = 0
    while done < size:
        run = min(rnd.randint(1, 64) * PG, size - done)
        kind = rnd.randrange(3)
        if kind == 0:
            out.write(zero[:run])
        else:
            src = text if kind == 1 else noise
            off = rnd.randrange(0, len(src) - run) & ~(PG - 1)
            out.write(src[off:off + run])
        done += run
