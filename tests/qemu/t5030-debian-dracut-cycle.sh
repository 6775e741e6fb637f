#!/bin/bash
test_description='Debian with dracut: systemctl hibernate, cold boot, dracut'\''s initramfs resumes

The Debian guest of t5000 with dracut in the place of initramfs-tools (dracut replaces it in
Debian, and is what Fedora builds its initramfs with): dracut'\''s generic initramfs, with
systemd as its PID 1, carries khibernate'\''s dracut module (90khibernate), whose pre-mount hook
runs khib-resume. systemctl hibernate saves the system; a new QEMU process boots the disk
through GRUB and dracut'\''s initramfs resumes it: the workload verifies, the system is running,
a service kept its PID, the journal holds the hibernation and the resume. khib-resume'\''s
lines from the initramfs of the first boot are in that journal once each, and its last line
before the jump to the helper is on the console.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/debian/lib.sh"

WORKLOAD=$KHIB_TOP/tests/workloads/default
export KHIB_DEBIAN_INITRAMFS=dracut

test_expect_success DEBIAN 'the Debian guest with dracut (built or cached), a disk of its own' '
	deb_base &&
	grep -q "dracut" "$DEB_BASE.info" &&
	grep -q "khib-resume" "$DEB_BASE.info" &&
	deb_disk disk.qcow2 &&
	deb_cycle_script 1 > cycle.sh
'

test_expect_success DEBIAN 'booted through dracut'\''s initramfs; systemctl hibernate: the helper powers off' '
	deb_boot save --disk disk.qcow2 --script cycle.sh --workload "$WORKLOAD" --timeout 600 &&
	vm_expect_result save NONE &&
	grep -q "dracut" save.console &&
	grep -q "image committed" save.console &&
	grep -q "reboot: Power down" save.console
'

test_expect_success DEBIAN 'the cold boot resumes from dracut'\''s pre-mount hook; the system carries on' '
	deb_boot resume --disk disk.qcow2 --timeout 600 &&
	vm_expect_result resume PASS &&
	grep -q "khib-resume: resuming" resume.console &&
	deb_lines resume JOURNAL | grep -q "khibernate: resumed" &&
	test "$(deb_lines resume JOURNAL | grep -c "khib-resume: no hibernation image")" = 1
'

if [ -f resume.start ]; then
	test_info "resume (QEMU start to the sleep hooks' post): $(vm_elapsed "$(cat resume.start)" "$(vm_mark_time resume sleep-post)") s"
	deb_lines resume JOURNAL | sed 's/^/# journal: /'
fi
test_done
