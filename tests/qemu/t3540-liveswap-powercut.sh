#!/bin/bash
test_description='live swap: power cut while the helper writes the image, swap in use

A 1280 MiB guest with the live-swap workload
partly in the swap partition hibernates; QEMU is killed as soon as the helper reports progress,
long before the image is committed (the disk is held to 16 MB/s, so this holds under KVM too).
The next boot is a normal one: nothing is resumed, the swap area holds no image, swapon works,
and a workload pushed into it again verifies.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/workloads/liveswap/host.bash"

ARGS="khibernate.resume=/dev/vda1"
MEM=1280M

cat > save.sh <<'EOS'
. /usr/lib/khibernate/guest.sh
swapon /dev/vda1 || khib_result FAIL "swapon"
export LIVESWAP_OVER=64
run_workload start || khib_result FAIL "workload start"
khib_kv swaps_before "$(awk '$1 == "/dev/vda1" { print $4 }' /proc/swaps)"
khib_mark hibernate
khibernate --swap /dev/vda1
khib_result FAIL "khibernate returned ($?) where the power was cut"
EOS
cat > after.sh <<'EOS'
. /usr/lib/khibernate/guest.sh
fail() { khib_result FAIL "$*"; }
khib-image info /dev/vda1 > /tmp/info 2>&1
grep -q "^state  *none" /tmp/info || fail "the swap area is not plain swap: $(cat /tmp/info)"
swapon /dev/vda1 || fail "swapon after the power cut"
khibernate status --swap /dev/vda1 | grep -q "^image: *none" || fail "khibernate status sees an image"
export LIVESWAP_OVER=64
run_workload start || fail "workload start"
khib_kv swaps_used "$(awk '$1 == "/dev/vda1" { print $4 }' /proc/swaps)"
run_workload verify || fail "the workload pushed into the swap area again does not verify"
khib_result PASS "normal boot, swap area usable"
EOS

test_expect_success QEMU 'the power is cut while the helper writes the image' '
	vm_mkdisk disk.img 1536 64 &&
	test_expect_code 137 vm_boot save --disk disk.img --mem $MEM --append "$ARGS" \
		--script save.sh --workload "$LIVESWAP" --timeout 300 \
		--kill-after-console "khib-helper: saving" --disk-bps 16000000 &&
	test -f save.cut && vm_expect_result save NONE &&
	! grep -q "image committed" save.console
'

test_expect_success QEMU 'the next boot is a normal one; the swap area is plain swap and usable' '
	vm_boot after --disk disk.img --mem $MEM --append "$ARGS" --script after.sh \
		--workload "$LIVESWAP" --timeout 300 &&
	vm_expect_result after PASS &&
	grep -q "no hibernation image in /dev/vda1" after.console
'

test_info "$(grep -o "reserved .* extents ([0-9.]* s)" save.console) for $(($(vm_kv save swaps_before) / 1024)) MiB of the workload in swap"
test_info "cut at: $(grep -o "khib-helper: saving .*" save.console | tail -1)"
test_done
