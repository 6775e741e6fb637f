#!/bin/bash
test_description='Debian: direct resume from a swap file

The Debian guest moves its swap to a file on the root file system (dd, mkswap, fstab, the
partition off), names it in khibernate.conf with direct_resume = 1 and runs khibernate
setup, as a user of a swap file does. After a reboot, systemctl hibernate; the next cold
boot: GRUB starts restore-B, which has no udev and finds the swap area by the swap header'\''s
own UUID at the file'\''s offset in the root partition (the words khibernate wrote into
/boot/khibernate/boot.cfg), restores and jumps to A. The system carries on with the
workload verified, the variable gone and the swap file usable.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/debian/lib.sh"

WORKLOAD=$KHIB_TOP/tests/workloads/default

# The first boot: swap moves to /swapfile; khibernate setup writes its command line.
setup_script() {
	deb_script_head
	cat <<-\EOF
	swapoff -a || fail "swapoff"
	sed -i '/[[:space:]]swap[[:space:]]/d' /etc/fstab &&
		dd if=/dev/zero of=/swapfile bs=1M count=768 status=none && chmod 600 /swapfile &&
		mkswap -q /swapfile > /dev/null && echo "/swapfile none swap sw 0 0" >> /etc/fstab &&
		swapon /swapfile || fail "making the swap file"
	sed -i 's|^swap = .*|swap = /swapfile|' /etc/khibernate.conf &&
		echo "direct_resume = 1" >> /etc/khibernate.conf || fail "editing khibernate.conf"
	khibernate setup > /run/khib-test/setup 2>&1; rc=$?
	deb_send SETUP /run/khib-test/setup
	[ $rc = 0 ] || fail "khibernate setup failed"
	grep -q "khibernate.resume_offset=" /etc/default/grub.d/khibernate.cfg ||
		fail "setup wrote no resume_offset for the swap file"
	khib_result PASS "swap file set up"
	EOF
}

# The second boot: one hibernation, resumed by GRUB starting restore-B.
cycle_script() {
	deb_script_head
	cat <<-\EOF
	deb_send CMDLINE /proc/cmdline
	grep -q '^/swapfile ' /proc/swaps || fail "the swap file is off"
	khibernate check > /run/khib-test/check 2>&1 || { deb_send CHECK /run/khib-test/check; fail "khibernate check failed"; }
	deb_start_workload
	boot_id=$(cat /proc/sys/kernel/random/boot_id)
	deb_hibernate 1
	[ "$(cat /proc/sys/kernel/random/boot_id)" = "$boot_id" ] || fail "a new boot id: not a resume"
	run_workload verify || fail "the workload does not verify"
	[ "$(journalctl -b -u systemd-hibernate.service -o cat | grep -c '^khibernate: resumed')" = 1 ] ||
		fail "the journal does not hold khibernate's resume"
	grep -q "^khibernate_resume=1" /boot/grub/grubenv && fail "grubenv still arms a direct resume"
	grep -q '^/swapfile ' /proc/swaps && swapoff /swapfile && swapon /swapfile &&
		grep -q '^/swapfile ' /proc/swaps || fail "the swap file is not usable after the resume"
	khib_result PASS "resumed from the swap file by GRUB and restore-B"
	EOF
}

test_expect_success DEBIAN 'the Debian guest and a disk of its own' '
	deb_base && deb_disk disk.qcow2 && setup_script > setup.sh && cycle_script > cycle.sh
'

test_expect_success DEBIAN 'swap moves to a file; khibernate setup names it' '
	deb_boot setup --disk disk.qcow2 --script setup.sh --timeout 600 &&
	vm_expect_result setup PASS
'

test_expect_success DEBIAN 'systemctl hibernate arms the direct resume; the helper powers off' '
	deb_boot save --disk disk.qcow2 --script cycle.sh --workload "$WORKLOAD" --timeout 600 &&
	vm_expect_result save NONE &&
	deb_lines save CMDLINE | grep -q "khibernate.resume_offset=" &&
	grep -q "image committed" save.console
'

test_expect_success DEBIAN 'cold boot: GRUB starts restore-B, which finds the swap file; resumed' '
	deb_boot resume --disk disk.qcow2 --timeout 600 &&
	vm_expect_result resume PASS &&
	grep -q "khib-helper: started by the boot loader" resume.console &&
	grep -q "BOOT_IMAGE=.*/khibernate/restore.bzImage.*khibernate.resume_offset=[1-9]" resume.console
'

if [ -f resume.start ]; then
	test_info "resume (QEMU start to the sleep hooks' post): $(vm_elapsed "$(cat resume.start)" "$(vm_mark_time resume sleep-post)") s"
fi
test_done
