#!/bin/bash
# make check-hostile: issue 16's findings through the programs themselves, on plain files, in
# seconds (the library's cases are in tests/unit/test-image-hostile.c). Images are forged from
# the goldens the way anyone who can write the swap area can: fields changed, SHA-256 redone.
#   - with a key, an unencrypted image is refused: khib-image verify exits 6, khib-resume
#     --device refuses and discards it (exit 10, the area is plain swap again)
#   - a forged chunk table offset that wraps 2^64 (a 1 GiB table on a 128 KiB file) is refused
#     by khib-image verify, which stays within 16 MiB of RSS
#   - forged Argon2id costs (8 passes over 256 MiB) are refused (exit 5) without deriving, and
#     khib-resume applies khibernate.conf's kdf_passes_max
#   - khib-image write refuses a range beyond 2^52 bytes (exit 2), and an image id that is not
#     32 hex digits
set -u
CHECK_NAME=check-hostile
. "$(dirname "$0")/../check-lib.sh"
K=$top/build/bin/khib-image R=$top/build/bin/khib-resume G=$top/tests/golden

exits() {  # exits WANT COMMAND...
	"${@:2}" > "$tmp/cmd.out" 2>&1
	local rc=$?
	[ $rc = "$1" ] || { echo "exit $rc, not $1: $(head -c 300 "$tmp/cmd.out")"; return 1; }
}

# forge IMAGE EDIT: rewrites header fields of a one-extent image (python: EDIT on h, the
# header as a bytearray, with struct at hand), then its SHA-256.
forge() {
	python3 - "$1" "$2" <<'PY'
import hashlib, struct, sys
path, edit = sys.argv[1], sys.argv[2]
b = bytearray(open(path, 'rb').read())
hdr_size, = struct.unpack_from('<I', b, 44)
hdr_lofs, = struct.unpack_from('<Q', b, 48)
H = 4096 + hdr_lofs
h = bytearray(b[H:H + hdr_size])
exec(edit)
h[480:512] = bytes(32)
h[480:512] = hashlib.sha256(bytes(h)).digest()
b[H:H + hdr_size] = h
open(path, 'wb').write(b)
PY
}

# 1. Downgrade.
cp "$G/v1-lz4.img" "$tmp/plain.img"
check "khib-image -k verify of an unencrypted image" exits 6 "$K" -q -k "$G/key.bin" verify "$tmp/plain.img"
check "khib-resume --key-file refuses it" exits 10 "$R" --device "$tmp/plain.img" --key-file "$G/key.bin"
check "and discards it" grep -q "image is not encrypted" "$tmp/cmd.out"
check "the area is plain swap" exits 3 "$K" -q verify "$tmp/plain.img"

# 2. The chunk table's offset wraps: 2^24 + 1 chunks whose table would end, modulo 2^64, where
#    the header starts.
cp "$G/v1-lz4.img" "$tmp/wrap.img"
check "forge a wrapping chunk table" forge "$tmp/wrap.img" '
total = 1 << 30
raw, comp = struct.unpack_from("<QQ", h, 368)
struct.pack_into("<QQQQ", h, 1536, 0, total - 12, total, 12)
chunks = (total - 12 + 63) // 64 + 1
table = (chunks * 64 + 4095) // 4096 * 4096
struct.pack_into("<QQ", h, 328, chunks, (hdr_lofs - table) % 2**64)
struct.pack_into("<QQ", h, 352, total, total - raw - comp)'
check "verify refuses it" exits 5 /usr/bin/time -f "%M" -o "$tmp/rss" "$K" -q verify "$tmp/wrap.img"
check "within 16 MiB of RSS ($(cat "$tmp/rss" 2>/dev/null) KiB)" test "$(tail -1 "$tmp/rss")" -lt 16384

# 3. Argon2id costs from an unauthenticated header.
printf 'fuzzy wuzzy\n' > "$tmp/pass"
truncate -s 128K "$tmp/kdf.img" && mkswap "$tmp/kdf.img" > /dev/null 2>&1
check "write a passphrase image" "$K" -q -p "$tmp/pass" write --range 0:8 "$G/mem.bin" "$tmp/kdf.img"
cp "$tmp/kdf.img" "$tmp/kdf-conf.img"
printf 'kdf_passes_max = 2\n' > "$tmp/khibernate.conf"
check "khib-resume refuses 3 passes when the configuration says 2" \
	exits 10 "$R" --config "$tmp/khibernate.conf" --device "$tmp/kdf-conf.img" --passphrase-file "$tmp/pass"
check "saying why" grep -q "key-derivation work than allowed" "$tmp/cmd.out"
check "forge its costs" forge "$tmp/kdf.img" 'struct.pack_into("<II", h, 36, 8, 256 * 1024)'
check "verify refuses them" exits 5 /usr/bin/time -f "%M" -o "$tmp/rss" "$K" -q -p "$tmp/pass" verify "$tmp/kdf.img"
# Deriving would have taken the 256 MiB: the peak RSS says it did not (not a clock).
check "without deriving ($(tail -1 "$tmp/rss" 2>/dev/null) KiB)" test "$(tail -1 "$tmp/rss")" -lt 65536

# 4. Ranges past the physical address width.
truncate -s 128K "$tmp/w.img" && mkswap "$tmp/w.img" > /dev/null 2>&1
check "write --range 4503599627370497:1" exits 2 "$K" -q write --range 4503599627370497:1 "$G/mem.bin" "$tmp/w.img"

# 5. An image id is exactly 32 hex digits: no blank, sign or 0x that sscanf would take.
for id in " 0$(printf '1%.0s' $(seq 30))" "0x$(printf '1%.0s' $(seq 30))" "+$(printf '1%.0s' $(seq 31))"; do
	check "--consumed-id '$id' is not hex" exits 2 "$K" -q --consumed-id "$id" verify "$G/v1-lz4.img"
done

check_done
