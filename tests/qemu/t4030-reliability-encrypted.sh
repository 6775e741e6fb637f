#!/bin/bash
test_description='encrypted image: a wrong or missing passphrase is refused and the image kept

khibernate --passphrase-file saves the default workload encrypted (AES-256-GCM, Argon2id).
A boot whose /etc/khibernate/resume-args gives a wrong passphrase must refuse before the
restore helper is even loaded (the header tag proves the key), keep the image byte for
byte, and power off (booting on would make it stale). The same without any passphrase.
Then a boot with the right passphrase resumes and the workload verifies.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/reliability/lib.sh"

# pass_files DIR PASSPHRASE [RESUME_ARGS]: a --files tree with the passphrase file and the
# hook's options.
pass_files() {
	mkdir -p "$1/etc/khibernate" &&
	echo "$2" > "$1/etc/khibernate/pass" &&
	if [ -n "${3:-}" ]; then echo "$3" > "$1/etc/khibernate/resume-args"; fi
}

test_expect_success QEMU 'an encrypted image of the workload' '
	pass_files right "correct horse battery staple" "--passphrase-file /etc/khibernate/pass" &&
	pass_files wrong "correct horse battery stable" "--passphrase-file /etc/khibernate/pass" &&
	pass_files none "" &&
	rel_save_image saved.img "--passphrase-file /etc/khibernate/pass" --files right &&
	grep -q "\"encrypted\": true" saved.json &&
	rel_copy saved.img disk.img
'

# kept NAME: the boot refused and powered off before the helper, and the disk is unchanged.
kept() {
	vm_expect_result $1 NONE &&
	rel_console_has $1 "^khibernate: powering off: boot again with the right key, or discard the image" &&
	! grep -q "khib-resume: resuming" $1.console && ! grep -q "khib-helper" $1.console &&
	cmp saved.img disk.img
}

test_expect_success QEMU 'wrong passphrase: refused, image kept unchanged, powered off' '
	vm_boot wrong --disk disk.img --script normal.sh --files wrong --append "$REL_ARGS" --timeout 300 &&
	rel_console_has wrong "^khib-resume: the image is encrypted and the key or passphrase is wrong; it is kept" &&
	kept wrong
'

test_expect_success QEMU 'no passphrase: refused, image kept unchanged, powered off' '
	vm_boot nokey --disk disk.img --script normal.sh --files none --append "$REL_ARGS" --timeout 300 &&
	rel_console_has nokey "^khib-resume: the image is encrypted and no key was given; it is kept" &&
	kept nokey
'

test_expect_success QEMU 'the right passphrase resumes and the workload verifies' '
	vm_boot right --disk disk.img --script normal.sh --files right --append "$REL_ARGS" --timeout 300 &&
	rel_expect_resumed right &&
	test "$(rel_state disk.img)" = consumed
'
test_done
