#!/bin/bash
test_description='khibernate: hibernate, power off, cold boot, automatic resume, three cycles

The product end to end: the default workload runs in A with its swap area on; khibernate
reserves slots, jumps to the helper, which writes the image and powers off; a new QEMU
process boots the same disk, the resume hook finds the image, marks it consumed and runs the
restore helper, which puts A back; khibernate returns in A with "resumed" and the workload
verifies. Three cycles in a row (KHIB_CYCLES; KHIB_SMP vCPUs, default 2; KHIB_MEM, default 1G;
KHIB_KHIB_ARGS adds khibernate options, e.g. --reboot), then a boot after that must be a fresh
one.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/vm/cycle.sh"

WORKLOAD=${WORKLOAD:-$KHIB_TOP/tests/workloads/default}
ARGS="khibernate.resume=/dev/vda1"
SMP=${KHIB_SMP:-2}
KHIB_ARGS=${KHIB_KHIB_ARGS:-}
CYCLES=${KHIB_CYCLES:-3}
MEM=${KHIB_MEM:-1G}
# How B ends the save: the kernel's last words on the console.
case "$KHIB_ARGS" in
*--reboot*) END_LINE="reboot: Restarting system" ;;
*) END_LINE="reboot: Power down" ;;
esac

test_expect_success QEMU 'disk with swap' '
	vm_mkdisk disk.img 1536 64 &&
	cycle_script $CYCLES "$KHIB_ARGS" > cycle.sh &&
	fresh_script > fresh.sh
'

test_expect_success QEMU 'khibernate saves, then the helper powers off (or reboots)' '
	vm_boot save1 --disk disk.img --mem $MEM --smp $SMP --append "$ARGS" --script cycle.sh \
		--workload "$WORKLOAD" --timeout 400 &&
	vm_expect_result save1 NONE &&
	grep -q "image committed" save1.console &&
	grep -q "$END_LINE" save1.console
'

for n in $(seq 1 $((CYCLES - 1))); do
	test_expect_success QEMU "cold boot $n resumes; cycle $((n + 1)) saves again" "
		vm_boot resume$n --disk disk.img --mem $MEM --smp $SMP --append '$ARGS' --script fresh.sh --timeout 400 &&
		vm_expect_result resume$n NONE &&
		test -n \"\$(vm_mark_time resume$n resumed-$n)\" &&
		test -n \"\$(vm_mark_time resume$n hibernate-$((n + 1)))\"
	"
done

test_expect_success QEMU "the last cold boot resumes and the workload verifies" '
	vm_boot resume$CYCLES --disk disk.img --mem $MEM --smp $SMP --append "$ARGS" --script fresh.sh --timeout 400 &&
	vm_expect_result resume$CYCLES PASS
'

test_expect_success QEMU 'the image was consumed: the next boot is a fresh one' '
	vm_boot after --disk disk.img --mem $MEM --smp $SMP --append "$ARGS" --script fresh.sh \
		--workload "$WORKLOAD" --timeout 300 &&
	vm_expect_result after FAIL && grep -q "booted fresh" after.raw
'

if [ -f save1.end ]; then
	test_info "hibernate (command to power-off): $(vm_elapsed "$(vm_mark_time save1 hibernate-1)" "$(cat save1.end)") s"
	test_info "resume (QEMU start to khibernate returned): $(vm_elapsed "$(cat resume1.start)" "$(vm_mark_time resume1 resumed-1)") s"
	test_info "image $(vm_kv resume1 image_bytes_1) bytes for $(vm_kv resume1 memory_in_use_1) bytes of memory in use"
fi
test_done
