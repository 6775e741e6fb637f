#!/bin/bash
test_description='encrypted image: the passphrase asked at boot; wrong or none: power off, the way out

khibernate --passphrase-file saves the default workload encrypted (AES-256-GCM, Argon2id);
/etc/khibernate.conf says encrypt = passphrase. At boot khib-resume cannot open the image
without it and asks, here through a stand-in for systemd-ask-password that answers from a
file (as systemd runs in the initramfs of dracut). Three wrong answers, or none: it refuses
before the restore helper is even loaded (the header tag proves the key), keeps the image
byte for byte (booting on would make it stale) and powers off, saying that
khibernate.noresume boots without it. A wrong answer then the right one resumes, and the
workload verifies. khibernate.noresume discards the image and the boot goes on.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/reliability/lib.sh"

PASS="correct horse battery staple"

# pass_files DIR ANSWER...: a --files tree: the configuration, the passphrase file for the
# save, and the stand-in agent with its answers, one per question.
pass_files() {
	local dir=$1
	shift
	mkdir -p "$dir/etc/khibernate" "$dir/etc/khib-test" "$dir/usr/bin" &&
	echo "encrypt = passphrase" > "$dir/etc/khibernate.conf" &&
	echo "$PASS" > "$dir/etc/khibernate/pass" &&
	touch "$dir/etc/khib-test/ask-password" &&
	printf '%s\n' "$@" > "$dir/etc/khib-test/answers" &&
	cat > "$dir/usr/bin/systemd-ask-password" <<-\AGENT &&
	#!/bin/sh
	# Stand-in for systemd-ask-password: the next line of /etc/khib-test/answers; none left:
	# it fails, as when nobody answers.
	n=$(( $(cat /run/khib-asked 2>/dev/null || echo 0) + 1 ))
	echo $n > /run/khib-asked
	echo "khib-test: asked ($n): $*" > /dev/console
	line=$(sed -n "${n}p" /etc/khib-test/answers)
	[ -n "$line" ] || exit 1
	echo "$line"
	AGENT
	chmod +x "$dir/usr/bin/systemd-ask-password"
}

test_expect_success QEMU 'an encrypted image of the workload' '
	pass_files wrong "correct horse battery stable" "Tr0ub4dor&3" "hunter2" &&
	pass_files none &&
	pass_files second "correct horse battery stable" "$PASS" &&
	rel_save_image saved.img "--passphrase-file /etc/khibernate/pass" --files none &&
	grep -q "\"encrypted\": true" saved.json &&
	rel_copy saved.img disk.img
'

# kept NAME TRIES: asked TRIES times, then powered off with the way out before the helper was
# loaded, and the disk is unchanged.
kept() {
	vm_expect_result $1 NONE &&
	test "$(vm_console_lines $1 | grep -c "^khib-test: asked ([0-9]): .*Passphrase of the hibernation image in /dev/vda1")" = $2 &&
	rel_console_has $1 "^khibernate: powering off: booting on would leave the image stale. To boot without it, add khibernate.noresume" &&
	rel_console_has $1 "reboot: Power down" &&
	! grep -q "khib-resume: resuming" $1.console && ! grep -q "khib-helper" $1.console &&
	cmp saved.img disk.img
}

test_expect_success QEMU 'three wrong passphrases: asked three times, image kept, powered off' '
	vm_boot wrong --disk disk.img --script normal.sh --files wrong --append "$REL_ARGS" --timeout 300 &&
	test "$(vm_console_lines wrong | grep -c "^khib-resume: the image is encrypted and the key or passphrase is wrong; it is kept")" = 3 &&
	kept wrong 3
'

test_expect_success QEMU 'nobody answers: image kept, powered off' '
	vm_boot none --disk disk.img --script normal.sh --files none --append "$REL_ARGS" --timeout 300 &&
	rel_console_has none "^khib-resume: the image is encrypted and no key was given; it is kept" &&
	kept none 1
'

test_expect_success QEMU 'a wrong passphrase, then the right one: resumed, the workload verifies' '
	rel_copy saved.img d1.img &&
	vm_boot second --disk d1.img --script normal.sh --files second --append "$REL_ARGS" --timeout 300 &&
	rel_expect_resumed second &&
	test "$(rel_state d1.img)" = consumed
'

test_expect_success QEMU 'the way out: khibernate.noresume discards it, normal boot' '
	vm_boot noresume --disk disk.img --script normal.sh \
		--append "$REL_ARGS khibernate.noresume" --timeout 300 &&
	rel_expect_normal noresume &&
	test "$(rel_state disk.img)" = none
'
rm -f d1.img
test_done
