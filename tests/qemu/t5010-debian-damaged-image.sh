#!/bin/bash
test_description='Debian: a damaged image and noresume: a normal boot, the journal says why

The Debian guest hibernates with systemctl hibernate; the host damages the image'\''s header
(tests/reliability/khib-imgtool.py) and boots the disk through GRUB: Debian'\''s initramfs
refuses the image, discards it and boots on to multi-user with nothing failed, swap usable, no
image left and the reason in the journal. That system then hibernates again with noresume on
the next boot'\''s command line (GRUB'\''s environment): the image is discarded, as
docs/design.md says (booting on over a committed image would leave it stale), and the boot goes
on the same way. Each boot'\''s journal holds khib-resume'\''s reason (it writes to the kernel log
in the initramfs).'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/debian/lib.sh"

WORKLOAD=$KHIB_TOP/tests/workloads/default
IMGTOOL="python3 $KHIB_TOP/tests/reliability/khib-imgtool.py --base $DEB_SWAP_BASE"

# normal_script WHAT [THEN]: the checks of a boot that must not have resumed; WHAT is a
# regex the journal must hold; THEN what to do after them (default: PASS).
normal_script() {
	local then=${2:-'khib_result PASS "normal boot, swap usable, no image left"'}
	deb_script_head
	cat <<-EOF
	[ -d /run/khib-workload ] && fail "the system resumed"
	state=\$(systemctl is-system-running --wait)
	[ "\$state" = running ] || fail "system \$state: \$(systemctl --failed --no-legend | tr -s ' \\n' ' ')"
	deb_swap_usable || fail "swap is not usable"
	khibernate status > /run/khib-test/status 2>&1
	deb_send STATUS /run/khib-test/status
	grep -q '^image: *none' /run/khib-test/status || fail "an image is still there"
	journalctl -b -o short-monotonic --no-hostname | grep -E 'khib' |
		grep -vE 'khib-test|ommand line:' > /run/khib-test/journal
	deb_send JOURNAL /run/khib-test/journal
	grep -qE '$1' /run/khib-test/journal || fail "the journal does not say why: $1"
	$then
	EOF
}

hibernate_script() {
	deb_script_head
	cat <<-EOF
	deb_start_workload
	deb_hibernate 1
	fail "resumed a damaged image"
	EOF
}

test_expect_success DEBIAN 'the Debian guest and a disk of its own' '
	deb_base && deb_disk disk.qcow2 &&
	hibernate_script > save.sh &&
	normal_script "khib-resume: .*corrupt.*discarded" \
		"grub-editenv /boot/grub/grubenv set khib_extra=noresume && sync && deb_sleep_hook && deb_hibernate 2 && fail resumed" > damaged.sh &&
	normal_script "khib-resume: .*discarded \\(noresume" > noresume.sh
'

test_expect_success DEBIAN 'systemctl hibernate; the host damages the image'\''s header' '
	deb_boot save --disk disk.qcow2 --script save.sh --workload "$WORKLOAD" --timeout 600 &&
	vm_expect_result save NONE &&
	grep -q "image committed" save.console &&
	qemu-img convert -O raw disk.qcow2 damaged.img &&
	test "$($IMGTOOL damaged.img locate | sed -n "s/.*\"state\": \"\([a-z]*\)\".*/\1/p")" = committed &&
	$IMGTOOL damaged.img damage header
'

test_expect_success DEBIAN 'boot through GRUB: refused and discarded, multi-user; noresume set, hibernate' '
	deb_boot damaged --disk damaged.img --script damaged.sh --timeout 600 &&
	vm_expect_result damaged NONE &&
	grep -q "khib-resume: .*discarded" damaged.console &&
	grep -q "image committed" damaged.console
'

test_expect_success DEBIAN 'with noresume: the image is discarded and the boot goes on' '
	deb_boot noresume --disk damaged.img --script noresume.sh --timeout 600 &&
	vm_expect_result noresume PASS &&
	test "$($IMGTOOL damaged.img locate | sed -n "s/.*\"state\": \"\([a-z]*\)\".*/\1/p")" != committed
'

for boot in damaged noresume; do
	[ -f $boot.raw ] || continue
	deb_lines $boot JOURNAL | sed "s/^/# $boot journal: /"
	deb_lines $boot STATUS | sed "s/^/# $boot status: /"
done
test_done
