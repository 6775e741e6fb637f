#!/bin/bash
test_description='Debian: direct resume, GRUB starts the restore helper itself

With direct_resume = 1 in khibernate.conf, systemctl hibernate leaves the helper kernel
(its load address set to the region), its initramfs and GRUB commands in /boot/khibernate
and sets khibernate_resume in GRUB'\''s environment block. The next cold boot: GRUB clears
the variable, starts restore-B straight away (no Debian kernel, no initramfs), B finds,
checks and consumes the image, restores and jumps to A; the system carries on as in t5000,
and the variable is gone, as is the next_entry GRUB consumed at that boot (A does not write
its cached copy of the block back), while the other variables of the block are kept. Again
with Shift held at GRUB: it clears the variable, starts no restore-B and says so, and
Debian'\''s initramfs resumes the image. Then a power cut during a save with the variable
set: GRUB starts B once, B finds no image and reboots without writing, and the boot after
that is a normal one with usable swap.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/debian/lib.sh"

WORKLOAD=$KHIB_TOP/tests/workloads/default

# The cycle of t5000, with direct resume switched on before it and the variable checked
# after it. grub-editenv writes a comment line first, and every variable after it stays
# GRUB's through the arming and the disarming; a one-shot entry set before hibernating is
# consumed by GRUB at the resume boot ("next_entry=" on disk) while A sleeps: A must not
# write its cached copy of the block back over that.
direct_cycle_script() {
	deb_cycle_script 1 | sed -e '/^deb_up$/a echo "direct_resume = 1" >> /etc/khibernate.conf\
khibernate status | grep -q "^direct: *on: " || fail "khibernate status: $(khibernate status | grep ^direct:)"\
grub-editenv /boot/grub/grubenv set next_entry=0 khib_test=kept || fail "grub-editenv failed"' \
		-e '/^journalctl -b -o short-monotonic/i grep -q "^khibernate_resume=1" /boot/grub/grubenv \&\& fail "grubenv still arms a direct resume"\
grep -q "^next_entry=0$" /boot/grub/grubenv \&\& fail "A wrote its old copy of grubenv back over what GRUB wrote"\
grep -q "^khib_test=kept$" /boot/grub/grubenv || fail "a variable of the GRUB environment is lost"'
}

# A save cut by power loss: direct resume armed, no image committed.
cut_script() {
	deb_script_head
	cat <<-\EOF
	echo "direct_resume = 1" >> /etc/khibernate.conf
	deb_start_workload
	deb_hibernate 1
	khib_result FAIL "the save was not cut"
	EOF
}

# The boot after: normal, no image, swap usable, the variable cleared by GRUB.
after_cut_script() {
	deb_script_head
	cat <<-\EOF
	grep -q "^khibernate_resume=1" /boot/grub/grubenv && fail "grubenv still arms a direct resume"
	khib-image info /dev/vda2 | grep -q "^state  *none" || fail "an image is left in the swap area"
	deb_swap_usable || fail "swap is not usable"
	khib_result PASS "normal boot after the direct resume found no image"
	EOF
}

test_expect_success DEBIAN 'the Debian guest and a disk of its own' '
	deb_base &&
	deb_disk disk.qcow2 &&
	direct_cycle_script > cycle.sh &&
	grep -q "direct_resume = 1" cycle.sh &&
	grep -q "khibernate status | grep" cycle.sh &&
	grep -q "grubenv still arms" cycle.sh &&
	grep -q "set next_entry=0" cycle.sh &&
	grep -q "its old copy of grubenv" cycle.sh &&
	grep -q "environment is lost" cycle.sh
'

test_expect_success DEBIAN 'systemctl hibernate arms the direct resume; the helper powers off' '
	deb_boot save --disk disk.qcow2 --script cycle.sh --workload "$WORKLOAD" --timeout 600 &&
	vm_expect_result save NONE &&
	grep -q "image committed" save.console
'

test_expect_success DEBIAN 'cold boot: GRUB starts restore-B, which resumes; the system carries on' '
	deb_boot resume --disk disk.qcow2 --timeout 600 &&
	vm_expect_result resume PASS &&
	grep -q "khib-helper: started by the boot loader" resume.console &&
	grep -q "BOOT_IMAGE=.*/khibernate/restore.bzImage" resume.console &&
	! grep -q "khib-resume" resume.console &&
	deb_lines resume JOURNAL > journal &&
	grep -q "khibernate: direct resume: GRUB starts the restore helper" journal &&
	! grep -q "the initramfs will resume" journal
'

test_expect_success DEBIAN 'Shift held at GRUB: no restore-B, the initramfs resumes, the variable is gone' '
	deb_base &&
	deb_disk shift.qcow2 &&
	deb_boot shift-save --disk shift.qcow2 --script cycle.sh --workload "$WORKLOAD" --timeout 600 &&
	vm_expect_result shift-save NONE &&
	grep -q "image committed" shift-save.console &&
	deb_boot shift --disk shift.qcow2 --timeout 600 --hold-shift-until "khibernate: Shift held" &&
	vm_expect_result shift PASS &&
	grep -q "khibernate: Shift held, no direct resume" shift.console &&
	! grep -q "khib-helper: started by the boot loader" shift.console &&
	! grep -q "BOOT_IMAGE=.*/khibernate/restore.bzImage" shift.console &&
	grep -q "khib-resume: resuming" shift.console
'

test_expect_success DEBIAN 'a save cut by power loss with the direct resume armed' '
	deb_base &&
	deb_disk cut.qcow2 &&
	cut_script > cut.sh &&
	test_expect_code 137 deb_boot cut --disk cut.qcow2 --script cut.sh --workload "$WORKLOAD" --timeout 600 \
		--kill-after-console "khib-helper: saving" --disk-bps 16000000 &&
	test -f cut.cut &&
	! grep -q "image committed" cut.console
'

test_expect_success DEBIAN 'GRUB starts B once: no image, nothing written, reboot' '
	deb_boot once --disk cut.qcow2 --timeout 600 &&
	grep -q "khib-helper: resuming straight from the boot loader.*no hibernation image" once.console &&
	grep -q "reboot: Restarting system" once.console
'

test_expect_success DEBIAN 'the boot after it is a normal one; swap is usable' '
	after_cut_script > after.sh &&
	deb_boot after --disk cut.qcow2 --script after.sh --timeout 600 &&
	vm_expect_result after PASS
'

if [ -f resume.start ]; then
	test_info "resume (QEMU start to the sleep hooks' post): $(vm_elapsed "$(cat resume.start)" "$(vm_mark_time resume sleep-post)") s"
fi
test_done
