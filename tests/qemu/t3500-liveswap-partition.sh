#!/bin/bash
test_description='live swap: hibernate with 100+ MiB of the workload in the swap partition

A 512 MiB guest whose workload (tests/workloads/liveswap) holds 160 MiB more random data than
memory has room for, so at least 100 MiB of it sits in the swap partition when khibernate runs.
khibernate reserves the image slots from the swap allocator of A; the helper writes only there.
A cold boot resumes; every byte of the workload is then checked (the pages that were in memory
and the ones that were in swap), /proc/swaps shows the same swap on with the use it had (give
or take what the workload swapped meanwhile), and khibernate runs again (--test).'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/workloads/liveswap/host.bash"

# no_console_suspend: if the jump ever hangs, the console shows where A stopped.
ARGS="khibernate.resume=/dev/vda1 no_console_suspend"
MEM=512M

cat > save.sh <<'EOS'
. /usr/lib/khibernate/guest.sh
swapon /dev/vda1 || khib_result FAIL "swapon"
run_workload start || khib_result FAIL "workload start"
sh /khib-test/workload/cycle /dev/vda1 100
EOS
fresh_script > fresh.sh

test_expect_success QEMU 'khibernate saves with the workload partly in swap, powers off' '
	liveswap_save 1024 64 --mem $MEM --append "$ARGS" --timeout 240
'

test_expect_success QEMU 'a cold boot resumes; every byte verified, swap as before, khibernate runs again' '
	vm_boot resume --disk disk.img --mem $MEM --append "$ARGS" --script fresh.sh --timeout 240 &&
	vm_expect_result resume PASS
'

liveswap_report save resume
test_done
