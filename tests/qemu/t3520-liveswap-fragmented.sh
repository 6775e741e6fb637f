#!/bin/bash
test_description='live swap: a fragmented swap area, the image in many extents between pages of A

Six workload processes fill memory together, so their pages are pushed to the swap partition
interleaved; killing every other one frees slots all over the used part of the area. The swap
partition is nearly full before that, so the slots khibernate reserves for its estimate take
the holes, and the image is larger than the free tail of the area: it lies in many extents between slots
that still hold pages of the three survivors. A cold boot resumes, every byte of the survivors
is checked and /proc/swaps shows the use it had. (No second run here: the survivors, once
checked, are back in memory and the swap area has no room for their image.)'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/workloads/liveswap/host.bash"

ARGS="khibernate.resume=/dev/vda1 no_console_suspend"
MEM=512M
SWAP_MIB=480

cat > save.sh <<'EOS'
. /usr/lib/khibernate/guest.sh
W=/run/khib-workload
swapon /dev/vda1 || khib_result FAIL "swapon"
export LIVESWAP_PROCS=6 LIVESWAP_OVER=280
run_workload start || khib_result FAIL "workload start"
khib_kv swaps_full "$(awk '$1 == "/dev/vda1" { print $4 }' /proc/swaps)"
killed=$(awk 'NR % 2 == 0 { print $1 }' $W/membufs)
kill $killed
awk 'NR % 2 == 1' $W/membufs > $W/survivors && mv $W/survivors $W/membufs
# Their slots are free once they have exited (gone, or a zombie nobody has reaped yet).
for pid in $killed; do
	while [ -e /proc/$pid ] && ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null; do sleep 0.05; done
done
khib_kv swaps_holed "$(awk '$1 == "/dev/vda1" { print $4 }' /proc/swaps)"
sh /khib-test/workload/cycle /dev/vda1 50 no
EOS
fresh_script > fresh.sh

test_expect_success QEMU 'khibernate saves into a fragmented swap area, powers off' '
	liveswap_save $SWAP_MIB 64 --mem $MEM --append "$ARGS" --timeout 300
'

test_expect_success QEMU 'a cold boot resumes; the survivors verify; the image took many extents, holes included' '
	vm_boot resume --disk disk.img --mem $MEM --append "$ARGS" --script fresh.sh --timeout 240 &&
	vm_expect_result resume PASS &&
	test "$(vm_kv resume reserved_extents)" -ge 16 &&
	test $(($(vm_kv resume bytes_image) / 1024)) -gt $((SWAP_MIB * 1024 - $(vm_kv save swaps_full)))
'

test_info "swap used: $(($(vm_kv save swaps_full) / 1024)) MiB with six processes, $(($(vm_kv save swaps_holed) / 1024)) MiB after three were killed"
liveswap_report save resume
test_done
