#!/bin/bash
test_description='Debian: the kernel'\''s own hibernation and khibernate on the same system

The comparison on a real system: the Debian guest hibernates with systemctl hibernate, first
with khibernate'\''s drop-in masked (an empty file of the same name in
/etc/systemd/system/systemd-hibernate.service.d/: systemd-sleep writes disk to
/sys/power/state, the kernel writes its image, Debian'\''s initramfs resumes it from resume=),
then with it again (khibernate, resumed by the initramfs), then with direct_resume = 1
(khibernate, restore-B started by GRUB: t5040). Each resumes through GRUB in a new QEMU
process and the workload verifies after each. The times are recorded (test_info), not
asserted. KHIB_DEBIAN_MEM (guest RAM, default 1G) and WORKLOAD_MEM (the workload'\''s buffer,
default 64M) scale it: docs/bench/README.md, "Direct resume", used 3G and 1024M.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/debian/lib.sh"

WORKLOAD=$KHIB_TOP/tests/workloads/default
MEM=${KHIB_DEBIAN_MEM:-1G}
MASK=/etc/systemd/system/systemd-hibernate.service.d/khibernate.conf

# The whole test in the guest: the kernel's hibernation (resume= on the command line of the
# boot that resumes it, through GRUB's environment), then khibernate's.
both_script() {
	deb_script_head
	cat <<-EOF
	export WORKLOAD_MEM=${WORKLOAD_MEM:-64M}
	deb_start_workload
	boot_id=\$(cat /proc/sys/kernel/random/boot_id)
	swap_uuid=\$(blkid -s UUID -o value /dev/vda2)

	mkdir -p ${MASK%/*} && : > $MASK && systemctl daemon-reload || fail "masking the drop-in"
	systemctl show -P ExecStart systemd-hibernate.service | grep -q 'systemd-sleep hibernate' ||
		fail "systemd-hibernate.service does not run systemd-sleep"
	grub-editenv /boot/grub/grubenv set "khib_extra=resume=UUID=\$swap_uuid" && sync
	deb_hibernate 1
	[ "\$(cat /proc/sys/kernel/random/boot_id)" = "\$boot_id" ] || fail "the kernel's hibernation: a fresh boot"
	run_workload verify || fail "the kernel's hibernation: the workload does not verify"
	journalctl -b -o cat | grep -q "Entering sleep state 'hibernate'" &&
		journalctl -b -o cat | grep -q "System returned from sleep state" ||
		fail "the journal does not hold systemd-sleep's hibernation and return"

	rm $MASK && systemctl daemon-reload || fail "unmasking the drop-in"
	grub-editenv /boot/grub/grubenv unset khib_extra && sync
	deb_hibernate 2
	[ "\$(cat /proc/sys/kernel/random/boot_id)" = "\$boot_id" ] || fail "khibernate: a fresh boot"
	run_workload verify || fail "khibernate: the workload does not verify"
	[ "\$(journalctl -b -u systemd-hibernate.service -o cat | grep -c '^khibernate: resumed')" = 1 ] ||
		fail "the journal does not hold khibernate's resume"

	echo "direct_resume = 1" >> /etc/khibernate.conf
	deb_hibernate 3
	[ "\$(cat /proc/sys/kernel/random/boot_id)" = "\$boot_id" ] || fail "direct resume: a fresh boot"
	run_workload verify || fail "direct resume: the workload does not verify"
	[ "\$(journalctl -b -u systemd-hibernate.service -o cat | grep -c '^khibernate: resumed')" = 2 ] ||
		fail "the journal does not hold khibernate's second resume"
	journalctl -b -o short-monotonic --no-hostname |
		grep -E 'hibernat|khib|sleep|Sleep|PM: |resum|Image' | grep -v khib-test > /run/khib-test/journal
	deb_send JOURNAL /run/khib-test/journal
	khib_result PASS "the kernel's hibernation and khibernate's two ways, each resumed"
	EOF
}

test_expect_success DEBIAN 'the Debian guest and a disk of its own' '
	deb_base && deb_disk disk.qcow2 && both_script > both.sh
'

test_expect_success DEBIAN 'the kernel'\''s hibernation (drop-in masked): systemctl hibernate powers off' '
	deb_boot kernel-save --disk disk.qcow2 --mem "$MEM" --script both.sh --workload "$WORKLOAD" --timeout 600 &&
	vm_expect_result kernel-save NONE &&
	grep -q "PM: Image saving done" kernel-save.console
'

test_expect_success DEBIAN 'cold boot: Debian'\''s initramfs resumes the kernel'\''s image; khibernate hibernates' '
	deb_boot kernel-resume --disk disk.qcow2 --mem "$MEM" --timeout 600 &&
	vm_expect_result kernel-resume NONE &&
	test -n "$(vm_mark_time kernel-resume resumed-1)" &&
	test -n "$(vm_mark_time kernel-resume hibernate-2)" &&
	grep -q "PM: Image loading done" kernel-resume.console &&
	grep -q "image committed" kernel-resume.console
'

test_expect_success DEBIAN 'cold boot: the initramfs resumes khibernate'\''s image; it hibernates again' '
	deb_boot khib-resume --disk disk.qcow2 --mem "$MEM" --timeout 600 &&
	vm_expect_result khib-resume NONE &&
	test -n "$(vm_mark_time khib-resume hibernate-3)" &&
	grep -q "image committed" khib-resume.console
'

test_expect_success DEBIAN 'cold boot: GRUB starts restore-B (direct resume); all verified' '
	deb_boot direct-resume --disk disk.qcow2 --mem "$MEM" --timeout 600 &&
	vm_expect_result direct-resume PASS &&
	grep -q "khib-helper: started by the boot loader" direct-resume.console
'

if [ -f direct-resume.start ]; then
	test_info "boot to multi-user: $(vm_kv kernel-save boot_s) s"
	test_info "the kernel's hibernation: hibernate" \
		"$(vm_elapsed "$(vm_mark_time kernel-save hibernate-1)" "$(cat kernel-save.end)") s" \
		"(systemctl hibernate to power-off), resume" \
		"$(vm_elapsed "$(cat kernel-resume.start)" "$(vm_mark_time kernel-resume sleep-post)") s" \
		"(QEMU start to the sleep hooks' post)"
	test_info "khibernate: hibernate" \
		"$(vm_elapsed "$(vm_mark_time kernel-resume hibernate-2)" "$(cat kernel-resume.end)") s," \
		"resume $(vm_elapsed "$(cat khib-resume.start)" "$(vm_mark_time khib-resume sleep-post)") s"
	test_info "khibernate, direct resume: hibernate" \
		"$(vm_elapsed "$(vm_mark_time khib-resume hibernate-3)" "$(cat khib-resume.end)") s," \
		"resume $(vm_elapsed "$(cat direct-resume.start)" "$(vm_mark_time direct-resume sleep-post)") s"
	deb_lines direct-resume JOURNAL | sed 's/^/# journal: /'
fi
test_done
