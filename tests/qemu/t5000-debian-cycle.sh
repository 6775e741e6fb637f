#!/bin/bash
test_description='Debian: systemctl hibernate, power off, cold boot through GRUB, resumed; twice

The real system: the Debian guest (tests/debian/) boots from its own disk through GRUB and
the initramfs Debian built, with systemd; khibernate was installed and set up in it as a user
does. systemctl hibernate (logind, hibernate.target, systemd-hibernate.service, whose
drop-in runs khibernate --sleep-hooks) saves it and the helper powers off; a new QEMU process
boots the disk through GRUB, Debian'\''s initramfs resumes it, and the system carries on:
the workload verifies, is-system-running says running, a service kept its PID, the journal
holds the hibernation and the resume, the sleep hooks ran, swap is usable. The second cycle
asks logind over D-Bus (Hibernate()), as a desktop or the lid switch does.
WORKLOAD (a directory with start and verify, default tests/workloads/default) changes the
workload; its DIR/packages, if any, go into the guest'\''s image (make e2e GUEST=debian).'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/debian/lib.sh"

WORKLOAD=${WORKLOAD:-$KHIB_TOP/tests/workloads/default}
CYCLES=${KHIB_CYCLES:-2}
PACKAGES=()
[ -r "$WORKLOAD/packages" ] && PACKAGES=("$WORKLOAD/packages")

test_expect_success DEBIAN 'the Debian guest (built or cached) and a disk of its own' '
	deb_base "${PACKAGES[@]}" &&
	deb_disk disk.qcow2 &&
	deb_cycle_script $CYCLES > cycle.sh
'

test_expect_success DEBIAN 'multi-user, hibernation offered, systemctl hibernate: the helper powers off' '
	deb_boot save1 --disk disk.qcow2 --script cycle.sh --workload "$WORKLOAD" --timeout 600 &&
	vm_expect_result save1 NONE &&
	test -n "$(vm_mark_time save1 sleep-pre)" &&
	grep -q "image committed" save1.console &&
	grep -q "reboot: Power down" save1.console
'

for n in $(seq 1 $((CYCLES - 1))); do
	test_expect_success DEBIAN "cold boot $n through GRUB resumes; cycle $((n + 1)) by logind's Hibernate()" "
		deb_boot resume$n --disk disk.qcow2 --timeout 600 &&
		vm_expect_result resume$n NONE &&
		test -n \"\$(vm_mark_time resume$n resumed-$n)\" &&
		test -n \"\$(vm_mark_time resume$n hibernate-$((n + 1)))\" &&
		grep -q 'reboot: Power down' resume$n.console
	"
done

test_expect_success DEBIAN "the last cold boot resumes; the system carries on" '
	deb_boot resume$CYCLES --disk disk.qcow2 --timeout 600 &&
	vm_expect_result resume$CYCLES PASS
'

if [ -f resume1.start ]; then
	test_info "boot to multi-user (kernel start to multi-user.target): $(vm_kv save1 boot_s) s"
	test_info "hibernate (systemctl hibernate to power-off): $(vm_elapsed "$(vm_mark_time save1 hibernate-1)" "$(cat save1.end)") s"
	test_info "resume (QEMU start to the sleep hooks' post): $(vm_elapsed "$(cat resume1.start)" "$(vm_mark_time resume1 sleep-post)") s"
	test_info "kernel command line: $(deb_lines save1 CMDLINE)"
	deb_lines resume$CYCLES JOURNAL | sed 's/^/# journal: /'
	deb_lines resume$CYCLES STATUS | sed 's/^/# status: /'
fi
test_done
