#!/bin/bash
# Regenerates tests/golden/ (valid images every reader must accept) and tests/golden-errors/
# (broken images with the error a reader must give, listed in tests/golden-errors/MANIFEST):
#
#   make build/bin/khib-image && tests/golden/generate.sh
#
# Images are random per run (image id, timestamps, salts): regenerate only when the format
# changes, and keep the old goldens of everything a reader still supports. Kept as they are:
# v1-crc32-*.img, written with CRC-32 chunk checksums by the writer before XXH64 (which the
# reader still accepts: an image saved before an upgrade must resume after it), and the
# mem.bin and key.bin they hold, which this script writes only when they are missing.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
K=${KHIB_IMAGE:-$top/build/bin/khib-image}
G=$top/tests/golden E=$top/tests/golden-errors
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 24 pages of "memory": 4 zero, 10 text, 6 random, 4 zero; pages 10 and 11 are not saved.
[ -e "$G/mem.bin" ] || {
	head -c 16384 /dev/zero
	{ yes 'khibernate golden image: the quick brown fox jumps over the lazy dog' || true; } | head -c 40960
	head -c 24576 /dev/urandom
	head -c 16384 /dev/zero
} > "$G/mem.bin"
[ -e "$G/key.bin" ] || head -c 32 /dev/urandom > "$G/key.bin"
ranges=(--range 0:10 --range 12:12)

swap() {  # swap FILE [PREFIX_PAGES]: a 32-page swap area, optionally after PREFIX pages
	truncate -s 128K "$tmp/area"
	mkswap -L golden -U 0ee1a6f1-0000-4000-8000-00000000c0de "$tmp/area" > /dev/null 2>&1
	{ head -c $((${2:-0} * 4096)) /dev/zero; cat "$tmp/area"; } > "$1"
	rm -f "$tmp/area"
}
mk() {  # mk NAME [khib-image write options]
	local f=$G/$1.img
	shift
	swap "$f"
	"$K" -q "$@" write "${ranges[@]}" --label golden --kernel-release 6.12.117-golden \
		--entry 0x1000000 "$G/mem.bin" "$f" > /dev/null
}
mk v1-lz4 -c lz4 -t 2
mk v1-none -c none
mk v1-lz4hc -c lz4hc:9
mk v1-aes-key -c lz4 -k "$G/key.bin"
mk v1-consumed -c lz4
"$K" -q consume "$G/v1-consumed.img" > /dev/null
swap "$G/v1-offset.img" 2
"$K" -q -o 8192 write "${ranges[@]}" "$G/mem.bin" "$G/v1-offset.img" > /dev/null

# Broken copies of v1-lz4.img (and of v1-crc32-lz4.img: crc32-*). Offsets: page 0 holds the
# commit record; the extent table is at page 1, the first payload at page 2; header and chunk
# table come from the record.
python3 - "$G/v1-lz4.img" "$G/v1-crc32-lz4.img" "$E" <<'PY'
import hashlib, struct, sys, zlib
src, src_crc32, out = sys.argv[1], sys.argv[2], sys.argv[3]
img = bytearray(open(src, 'rb').read())
hdr_lofs, = struct.unpack_from('<Q', img, 48)
hdr_size, = struct.unpack_from('<I', img, 44)
H = 4096 + hdr_lofs                       # one extent starting at page 1
tbl, = struct.unpack_from('<Q', img, H + 336)
T = 4096 + tbl
nr_chunks, = struct.unpack_from('<Q', img, H + 328)
manifest = []

def anchor_crc(b):
    struct.pack_into('<I', b, 124, zlib.crc32(bytes(b[0:124])))

def reseal(b):
    b[H + 480:H + 512] = bytes(32)
    b[H + 480:H + 512] = hashlib.sha256(bytes(b[H:H + hdr_size])).digest()

def table(b):  # the chunk table's digest into the header, then the header's checksum
    b[H + 400:H + 432] = hashlib.sha256(bytes(b[T:T + 64 * nr_chunks])).digest()
    reseal(b)

def case(name, err, edit, base=img):
    b = bytearray(base)
    b = edit(b) or b
    open(f'{out}/{name}.img', 'wb').write(b)
    manifest.append(f'{name}.img {err}')

def flip(off):
    def f(b): b[off] ^= 0x01
    return f

def setb(off, val, fix):
    def f(b):
        b[off] = val
        fix(b)
    return f

case('anchor-crc', 'EBADMSG', flip(20))
case('anchor-version', 'EPROTONOSUPPORT', setb(8, 2, anchor_crc))
case('anchor-state', 'EPROTONOSUPPORT', setb(12, 7, anchor_crc))
case('no-commit', 'ENODATA', lambda b: b.__setitem__(slice(4086, 4096), b'SWAPSPACE2'))
case('torn-commit', 'EBADMSG', lambda b: b.__setitem__(slice(0, 128), bytes(128)))
case('not-swap', 'EMEDIUMTYPE', lambda b: b.__setitem__(slice(4086, 4096), bytes(10)))
case('ext-table-flip', 'EBADMSG', flip(4096 + 20))
case('header-flip', 'EBADMSG', flip(H + 200))
case('header-version', 'EPROTONOSUPPORT', setb(H + 8, 2, reseal))
case('header-compression', 'EPROTONOSUPPORT', setb(H + 28, 9, reseal))
case('header-nr-chunks', 'EBADMSG', setb(H + 328, 9, reseal))
case('chunk-table-flip', 'EBADMSG', flip(T + 5))
case('chunk-payload-flip', 'EBADMSG', flip(2 * 4096 + 100))
case('truncated', 'EBADMSG', lambda b: b[:H])
case('header-cksum-algo', 'EPROTONOSUPPORT', setb(H + 30, 3, reseal))
# CRC-32 images: the same header and table offsets (the same pages, ranges and writer layout).
crc32 = bytearray(open(src_crc32, 'rb').read())
assert crc32[H:H + 8] == b'KHIBHDR\0' and crc32[H + 30] == 1
case('crc32-chunk-payload-flip', 'EBADMSG', flip(2 * 4096 + 100), crc32)
# The high half of the first record's checksum field: reserved in CRC-32 images.
case('crc32-chunk-cksum-high', 'EPROTONOSUPPORT', setb(T + 43, 0x80, table), crc32)
open(f'{out}/MANIFEST', 'w').write(
    '# FILE ERROR: reading FILE (open, then verify) must fail with -ERROR\n' + '\n'.join(manifest) + '\n')
PY
# Images a reader must refuse for what they are, not for corruption.
cp "$G/v1-aes-key.img" "$E/aes-no-key.img" && echo "aes-no-key.img ENOKEY" >> "$E/MANIFEST"
cp "$G/v1-consumed.img" "$E/consumed.img" && echo "consumed.img EALREADY" >> "$E/MANIFEST"
echo "generated: $(ls "$G"/*.img | wc -l) goldens, $(grep -c img "$E/MANIFEST") broken images"
