#!/bin/bash
# make check-imgtool: khib-imgtool.py (the reliability suite's second reading of the image
# format) against the product's reader, on the golden images, in seconds: every damage it
# makes must be refused by `khib-image verify` as corrupt (exit 5), and a kernel id it rewrites
# must leave a well-formed image that verifies and shows the new id. If this fails, the QEMU
# cases that rely on the tool (t4010, t4020) would test the tool, not the product.
set -u
CHECK_NAME=check-imgtool
. "$(dirname "$0")/../check-lib.sh"
K=$top/build/bin/khib-image
T="python3 $top/tests/reliability/khib-imgtool.py"
G=$top/tests/golden

verify_exit() {  # verify_exit WANT IMAGE OFFSET
	"$K" -q -o "$3" verify "$2" > /dev/null 2>&1
	local rc=$?
	[ $rc = "$1" ] || { echo "khib-image verify exit $rc, not $1"; return 1; }
}

for spec in v1-lz4:0 v1-none:0 v1-lz4hc:0 v1-offset:8192 v1-crc32-lz4:0 v1-crc32-offset:8192; do
	img=${spec%%:*} off=${spec#*:}
	for what in record extents header chunk-table chunk:0 tail:1; do
		cp "$G/$img.img" "$tmp/d.img"
		check "$img $what" $T --offset "$off" "$tmp/d.img" damage "$what"
		check "$img $what refused" verify_exit 5 "$tmp/d.img" "$off"
	done
done

cp "$G/v1-lz4.img" "$tmp/k.img"
check "set-kernel-id" $T "$tmp/k.img" set-kernel-id 00112233445566778899aabbccddeeff
check "rewritten image verifies" verify_exit 0 "$tmp/k.img" 0
check "new id shown" grep -q '"kernel_id": "00112233445566778899aabbccddeeff0' <("$K" info --json "$tmp/k.img")
cp "$G/v1-aes-key.img" "$tmp/a.img"
check "encrypted header refused" bash -c "! $T $tmp/a.img set-kernel-id 00"
truncate -s 128K "$tmp/plain.img" "$tmp/zero.img" && mkswap -q "$tmp/plain.img" > /dev/null
check "locate plain swap" grep -q '"state": "none"' <($T "$tmp/plain.img" locate 2>/dev/null)
check "locate no swap" grep -q '"state": "unknown"' <($T "$tmp/zero.img" locate 2>/dev/null)
check_done
