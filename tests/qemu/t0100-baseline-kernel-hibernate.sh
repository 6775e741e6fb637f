#!/bin/bash
test_description='baseline: the kernel own hibernation carries the workload across a cold boot

Proves the harness: state made in one QEMU process is verified in a new QEMU process on the
same disk. Also the reference khibernate is measured against (make bench).'
. "$(dirname "$0")/../vm/lib.sh"

WORKLOAD=${WORKLOAD:-$KHIB_TOP/tests/workloads/default}
KERNEL_ARGS="resume=/dev/vda1 hibernate.compressor=lz4 no_console_suspend"

test_expect_success QEMU 'make a disk with swap' '
	vm_mkdisk disk.img 1536 64
'

test_expect_success QEMU 'boot, start the workload, hibernate with the kernel, power off' '
	cat > hibernate.sh <<-\EOF &&
	. /usr/lib/khibernate/guest.sh
	swapon /dev/vda1 || khib_result FAIL "swapon failed"
	run_workload start || khib_result FAIL "workload start failed"
	echo shutdown > /sys/power/disk
	khib_mark hibernate
	echo disk > /sys/power/state || khib_result FAIL "echo disk failed"
	khib_mark resumed
	if run_workload verify; then khib_result PASS "verified after resume"
	else khib_result FAIL "workload verify failed after resume"; fi
	EOF
	vm_boot save --disk disk.img --append "$KERNEL_ARGS" --script hibernate.sh \
		--workload "$WORKLOAD" --timeout 300 &&
	vm_expect_result save NONE &&
	test -n "$(vm_mark_time save hibernate)"
'

test_expect_success QEMU 'a new QEMU process resumes and the workload verifies' '
	cat > fresh.sh <<-\EOF &&
	. /usr/lib/khibernate/guest.sh
	khib_result FAIL "booted fresh: the kernel did not resume"
	EOF
	vm_boot resume --disk disk.img --append "$KERNEL_ARGS" --script fresh.sh --timeout 300 &&
	vm_expect_result resume PASS
'

test_expect_success QEMU 'the image is gone: the next boot is a fresh one' '
	vm_boot again --disk disk.img --append "$KERNEL_ARGS" --script fresh.sh --timeout 300 &&
	vm_expect_result again FAIL &&
	grep -q "booted fresh" again.raw
'

hib=$(vm_elapsed "$(vm_mark_time save hibernate 2>/dev/null)" "$(cat save.end 2>/dev/null)" 2>/dev/null)
res=$(vm_elapsed "$(cat resume.start 2>/dev/null)" "$(vm_mark_time resume resumed 2>/dev/null)" 2>/dev/null)
test_info "kernel hibernation: hibernate (command to power-off) ${hib}s, resume (QEMU start to resumed) ${res}s ($(vm_accel))"
test_done
