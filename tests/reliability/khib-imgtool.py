#!/usr/bin/env python3
"""khib-imgtool: locate and damage khibernate images on a disk file (TEST-ONLY).

A second, independent reading of docs/image-format.md v1, for the reliability suite: it finds
where each part of an image lies on a disk image file and damages it the way a failing disk,
a power cut or a foreign system would. It never repairs anything. Not for production use.

  khib-imgtool.py [--base BYTES] [--offset BYTES] DISK locate
      JSON: state (none, committed, consumed, torn, unknown: what page 0 says, as the boot
      path reads it first), device offsets (in DISK) of the commit record, header, chunk
      table, ...; for no image only the state (and exit status 1).
  khib-imgtool.py ... DISK damage WHAT
      flip one byte (or zero payloads) in: record, extents, header, chunk-table,
      chunk:N (the N-th chunk that has a payload), chunk:random, tail:N (zero the payloads
      of the last N chunks: a truncated image). Prints what it changed.
  khib-imgtool.py ... DISK set-kernel-id HEX
      make a FOREIGN but well-formed image: rewrite the header's kernel identity and
      recompute the header checksum (SHA-256 over the header with that field zero), as the
      format says. Unencrypted images only (an encrypted header is authenticated by its tag).

--base: byte offset of the swap partition in DISK (1048576 for tests/vm vm_mkdisk disks);
--offset: byte offset of the swap header inside the partition (swap files; default 0).
Exit status: 0 done, 1 no image record or a malformed one, 2 usage error.
"""
import argparse
import hashlib
import json
import random
import struct
import sys

PAGE = 4096
REC_MAGIC = b'KHIBANCR'
EXT_MAGIC = b'KHIBEXT\0'
HDR_MAGIC = b'KHIBHDR\0'
CHUNK_REC = 64


def probe(f, page0):
    """What page 0 says, as the boot path reads it first: none (plain swap), committed,
    consumed, torn (a record under SWAPSPACE2 with state 1: no image), unknown."""
    f.seek(page0)
    rec = f.read(128)
    f.seek(page0 + 4086)
    sig = f.read(10)
    if rec[:8] != REC_MAGIC:
        return 'none' if sig == b'SWAPSPACE2' else 'unknown'
    state, = struct.unpack_from('<I', rec, 12)
    if state == 1:
        return 'committed' if sig == b'KHIBERNATE' else 'torn'
    return 'consumed' if state == 2 and sig == b'SWAPSPACE2' else 'unknown'


class Image:
    """The image as laid over its extents, addressed by logical offset."""

    def __init__(self, f, base, offset):
        self.f, self.page0 = f, base + offset
        self.base = base
        self.state = probe(f, self.page0)
        if self.state in ('none', 'unknown'):
            raise ValueError('no commit record in page 0')
        rec = self.read_dev(self.page0, 128)
        ext0_off, ext0_len = struct.unpack_from('<QQ', rec, 24)
        self.ext_size, self.hdr_size = struct.unpack_from('<II', rec, 40)
        self.hdr_lofs, = struct.unpack_from('<Q', rec, 48)
        self.image_id = rec[56:72].hex()
        self.extents = [(ext0_off, ext0_len)]
        head = self.read(0, 16)
        if head[:8] != EXT_MAGIC:
            raise ValueError('no extent table')
        count, = struct.unpack_from('<I', head, 8)
        # Entry k lies within the first k extents: decode them one by one.
        for i in range(1, count):
            self.extents.append(struct.unpack('<QQ', self.read(16 + 16 * i, 16)))
        hdr = self.read(self.hdr_lofs, min(self.hdr_size, 1536))
        if hdr[:8] != HDR_MAGIC:
            raise ValueError('no header at the recorded offset')
        self.cipher = hdr[32]
        self.kernel_id = hdr[128:160].hex()
        self.nr_chunks, self.table_lofs = struct.unpack_from('<QQ', hdr, 328)

    def read_dev(self, off, size):
        self.f.seek(off)
        return self.f.read(size)

    def write_dev(self, off, data):
        self.f.seek(off)
        self.f.write(data)

    def dev(self, lofs):
        """Offset in the disk file of logical offset lofs."""
        for off, length in self.extents:
            if lofs < length:
                return self.base + off + lofs
            lofs -= length
        raise ValueError('logical offset beyond the extents')

    def read(self, lofs, size):
        out = b''
        while size:
            n = min(size, PAGE - lofs % PAGE)
            out += self.read_dev(self.dev(lofs), n)
            lofs, size = lofs + n, size - n
        return out

    def write(self, lofs, data):
        while data:
            n = min(len(data), PAGE - lofs % PAGE)
            self.write_dev(self.dev(lofs), data[:n])
            lofs, data = lofs + n, data[n:]

    def chunk(self, i):
        rec = self.read(self.table_lofs + CHUNK_REC * i, CHUNK_REC)
        stored, = struct.unpack_from('<I', rec, 20)
        lofs, = struct.unpack_from('<Q', rec, 24)
        return stored, lofs

    def payload_chunks(self):
        table = self.read(self.table_lofs, CHUNK_REC * self.nr_chunks)
        out = []
        for i in range(self.nr_chunks):
            stored, = struct.unpack_from('<I', table, CHUNK_REC * i + 20)
            lofs, = struct.unpack_from('<Q', table, CHUNK_REC * i + 24)
            if stored:
                out.append((i, stored, lofs))
        return out


def flip(img, lofs, what):
    b = img.read(lofs, 1)[0]
    img.write(lofs, bytes([b ^ 0xff]))
    return {'damaged': what, 'device_offset': img.dev(lofs), 'was': b, 'now': b ^ 0xff}


def damage(img, what):
    if what == 'record':
        off = img.page0 + 60  # inside the image id: the record's CRC-32 no longer matches
        b = img.read_dev(off, 1)[0]
        img.write_dev(off, bytes([b ^ 0xff]))
        return {'damaged': what, 'device_offset': off}
    if what == 'extents':
        return flip(img, 12, what)  # reserved: only the record's SHA-256 of the table tells
    if what == 'header':
        return flip(img, img.hdr_lofs + 260, what)  # in the label: only the checksum tells
    if what == 'chunk-table':
        return flip(img, img.table_lofs + CHUNK_REC * (img.nr_chunks // 2) + 36, what)
    chunks = img.payload_chunks()
    if what.startswith('chunk:'):
        arg = what[6:]
        n = random.randrange(len(chunks)) if arg == 'random' else int(arg)
        i, stored, lofs = chunks[n]
        out = flip(img, lofs + random.randrange(stored), what)
        out['chunk'] = i
        return out
    if what.startswith('tail:'):
        last = chunks[-int(what[5:]):]
        for _, stored, lofs in last:
            img.write(lofs, bytes(stored))
        return {'damaged': what, 'chunks': [c[0] for c in last]}
    raise SystemExit('khib-imgtool: unknown damage %r' % what)


def set_kernel_id(img, hexid):
    if img.cipher:
        raise SystemExit('khib-imgtool: encrypted image: its header tag cannot be recomputed')
    kid = bytes.fromhex(hexid).ljust(32, b'\0')[:32]
    hdr = bytearray(img.read(img.hdr_lofs, img.hdr_size))
    hdr[128:160] = kid
    hdr[480:512] = bytes(32)
    hdr[480:512] = hashlib.sha256(hdr).digest()
    img.write(img.hdr_lofs, bytes(hdr))
    return {'kernel_id': kid.hex()}


def locate(img):
    chunks = img.payload_chunks()
    return {'state': img.state, 'image_id': img.image_id, 'record': img.page0,
            'extents': len(img.extents), 'extent_table': img.dev(0),
            'header': img.dev(img.hdr_lofs), 'header_size': img.hdr_size,
            'chunk_table': img.dev(img.table_lofs), 'nr_chunks': img.nr_chunks,
            'payload_chunks': len(chunks),
            'first_payload': img.dev(chunks[0][2]) if chunks else None,
            'last_payload': img.dev(chunks[-1][2]) if chunks else None,
            'encrypted': bool(img.cipher), 'kernel_id': img.kernel_id}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--base', type=int, default=0)
    ap.add_argument('--offset', type=int, default=0)
    ap.add_argument('disk')
    ap.add_argument('command', choices=['locate', 'damage', 'set-kernel-id'])
    ap.add_argument('arg', nargs='?')
    a = ap.parse_args()
    if a.command != 'locate' and not a.arg:
        ap.error('%s needs an argument' % a.command)
    with open(a.disk, 'r+b' if a.command != 'locate' else 'rb') as f:
        try:
            img = Image(f, a.base, a.offset)
        except (ValueError, struct.error) as e:
            if a.command == 'locate':
                print(json.dumps({'state': probe(f, a.base + a.offset)}))
            print('khib-imgtool: %s: %s' % (a.disk, e), file=sys.stderr)
            return 1
        if a.command == 'locate':
            out = locate(img)
        elif a.command == 'damage':
            out = damage(img, a.arg)
        else:
            out = set_kernel_id(img, a.arg)
    print(json.dumps(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
