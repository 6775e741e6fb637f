#!/bin/bash
test_description='live swap: the reservation grows when the image does not fit it

khibernate reserves swap slots for its estimate of the image, not for all of RAM. When the
image needs more, the helper comes back to A with "no space" before it commits anything, and
khibernate reserves all the image can take and saves again. Here --reserve 8 makes the first
reservation (8 MiB) far too small for the default workload: the first try must come back, the
second must commit, and a cold boot must resume with the workload verified. A default run
beside it reserves the estimate: much less than the 911 MiB the worst case would hold.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/vm/cycle.sh"

ARGS="khibernate.resume=/dev/vda1"
WORKLOAD=${WORKLOAD:-$KHIB_TOP/tests/workloads/default}

# reserved_mib NAME N: the MiB of the Nth "reserved ... of swap" line of boot NAME.
reserved_mib() {
	vm_console_lines "$1" | sed -n 's/^khibernate: reserved \([0-9]*\) MiB of swap.*/\1/p' |
		sed -n "${2}p"
}

test_expect_success QEMU 'a first try with 8 MiB comes back, the second with more commits' '
	vm_mkdisk disk.img 1536 64 &&
	cycle_script 1 "--reserve 8" > save.sh &&
	fresh_script > fresh.sh &&
	vm_boot save --disk disk.img --script save.sh --workload "$WORKLOAD" --append "$ARGS" \
		--timeout 300 &&
	vm_expect_result save NONE &&
	test "$(reserved_mib save 1)" = 8 &&
	vm_console_lines save > save.lines &&
	grep -q "^khibernate: the image did not fit the 8 MiB reserved for it; saving again with more" save.lines &&
	grep -q "^khib-helper: saving A.s memory: .*space" save.lines &&
	test "$(grep -c "^khibernate: jumping to the helper kernel" save.lines)" = 2 &&
	test "$(grep -c "^khib-helper: image committed" save.lines)" = 1 &&
	test "$(reserved_mib save 2)" -gt 64
'

test_expect_success QEMU 'a cold boot resumes the image of the second try; the workload verifies' '
	vm_boot resume --disk disk.img --script fresh.sh --append "$ARGS" --timeout 300 &&
	vm_expect_result resume PASS
'

test_expect_success QEMU 'by default the reservation is the estimate, not all of RAM' '
	vm_mkdisk disk2.img 1536 64 &&
	cat > test.sh <<-\EOS &&
	. /usr/lib/khibernate/guest.sh
	swapon /dev/vda1 || khib_result FAIL "swapon"
	run_workload start || khib_result FAIL "workload start"
	khibernate --test --swap /dev/vda1 || khib_result FAIL "khibernate --test exited $?"
	run_workload verify || khib_result FAIL "workload verify after --test"
	khib_result PASS "checkpoint taken and discarded"
	EOS
	vm_boot test --disk disk2.img --script test.sh --workload "$WORKLOAD" --append "$ARGS" \
		--timeout 300 &&
	vm_expect_result test PASS &&
	test "$(vm_console_lines test | grep -c "^khibernate: jumping to the helper kernel")" = 1 &&
	test "$(reserved_mib test 1)" -lt 400
'

test_info "first try: $(reserved_mib save 1) MiB, then $(reserved_mib save 2) MiB; default (estimate): $(reserved_mib test 1) MiB"
test_done
