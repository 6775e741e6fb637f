#!/bin/bash
test_description='KASLR: a fixed crashkernel= address collides, a floating one hibernates and resumes

A kernel with CONFIG_RANDOMIZE_BASE places itself at random; arch/x86/boot/compressed/kaslr.c
avoids memmap= ranges but not crashkernel=, so with crashkernel=128M@0x10000000 some boots find
the kernel in the way and reserve no region. This test boots such a kernel (A; the helper
stays our usual kernel) repeatedly with the fixed address and counts the boots that could not
reserve it; then it hibernates with crashkernel=128M (no address: the kernel reserves the
region after placing itself, which is what khibernate setup writes under KASLR) and resumes in
a new QEMU process, where the kernel and the region lie elsewhere: the restore helper is loaded
with a plain kexec into the region the image records, so only the saving boot needs it.

Needs a kernel like ours with RANDOMIZE_BASE (kernel-patches/khibernate.config with
CONFIG_RANDOMIZE_BASE=y; building one takes about 7 minutes): KHIB_KASLR_KERNEL=PATH/bzImage.
Skipped without it. KHIB_KASLR_BOOTS: how many fixed-address boots (default 24).'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/vm/cycle.sh"

KASLR_KERNEL=${KHIB_KASLR_KERNEL:-}
BOOTS=${KHIB_KASLR_BOOTS:-24}
[ -n "$KASLR_KERNEL" ] && [ -r "$KASLR_KERNEL" ] ||
	test_skip_all "no KHIB_KASLR_KERNEL (a bzImage of our kernel with CONFIG_RANDOMIZE_BASE)"

FLOAT='crashkernel=128M memmap=64K$0x80000'
ARGS="khibernate.resume=/dev/vda1"

# One kernel-only boot (no initramfs: it panics at the root and QEMU exits); prints where the
# kernel reserved the region, or "failed".
fixed_boot() {
	timeout -k 5 120 $KHIB_QEMU -nodefaults -no-user-config -display none -no-reboot \
		$(vm_accel) -m 1G -kernel "$KASLR_KERNEL" \
		-append "console=ttyS0 panic=-1 crashkernel=128M@0x10000000 memmap=64K\$0x80000" \
		-serial "file:fixed-$1.console" > /dev/null 2>&1
	if grep -aq "crashkernel reservation failed" "fixed-$1.console"; then
		echo failed
	else
		grep -ao "crashkernel reserved: 0x[0-9a-f]*" "fixed-$1.console" | sed 's/.*: //'
	fi
}

# The panic at the missing root prints "Kernel Offset: 0x... from 0xffffffff81000000" under KASLR.
test_expect_success QEMU 'the kernel really places itself at random' '
	for i in 1 2 3; do fixed_boot k$i > /dev/null; done &&
	grep -aho "Kernel Offset: [0-9a-fx]*" fixed-k?.console | sort -u > offsets &&
	! grep -q "Kernel Offset: disabled" offsets &&
	test "$(grep -c . offsets)" -ge 2
'

test_expect_success QEMU "fixed crashkernel=128M@0x10000000: $BOOTS boots, some cannot reserve it" '
	: > fixed.txt &&
	for i in $(seq 1 $BOOTS); do fixed_boot $i >> fixed.txt; done &&
	test "$(grep -c . fixed.txt)" = $BOOTS &&
	grep -c failed fixed.txt > failed.count || true
'
test_info "fixed address under KASLR: $(cat failed.count 2>/dev/null || echo 0) of $BOOTS boots reserved no region"

test_expect_success QEMU 'crashkernel=128M under KASLR: hibernate' '
	vm_mkdisk disk.img 1536 64 &&
	cycle_script 1 > cycle.sh && fresh_script > fresh.sh &&
	vm_boot save --disk disk.img --kernel "$KASLR_KERNEL" --region-args "$FLOAT" \
		--append "$ARGS" --script cycle.sh --workload "$KHIB_TOP/tests/workloads/default" \
		--timeout 400 &&
	vm_expect_result save NONE &&
	grep -q "image committed" save.console &&
	grep -ao "crashkernel reserved: 0x[0-9a-f]* - 0x[0-9a-f]*" save.console > save.region
'

test_expect_success QEMU 'a new QEMU process with the same kernel resumes it; the workload verifies' '
	vm_boot resume --disk disk.img --kernel "$KASLR_KERNEL" --region-args "$FLOAT" \
		--append "$ARGS" --script fresh.sh --timeout 400 &&
	vm_expect_result resume PASS &&
	grep -ao "crashkernel reserved: 0x[0-9a-f]* - 0x[0-9a-f]*" resume.console > resume.region
'
test_info "region at save: $(cat save.region 2>/dev/null); in the resume boot: $(cat resume.region 2>/dev/null)"
test_done
