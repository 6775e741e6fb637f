#!/bin/bash
test_description='boot paths: the configuration, every form of the device, never a stale image

One save of the default workload with the helper at non-default paths (/etc/khibernate.conf:
helper_kernel, helper_initrd in /boot/other; /boot/khib holds junk), then boots of copies of
that disk. The resume reads the configuration and finds the swap area by its UUID while the
image waits (blkid cannot: the signature is ours): resumed. Every boot that does not resume
leaves no committed image: noresume discards it in the initramfs; a khib-resume killed
halfway (SIGKILL, as by the OOM killer) is followed by a discard; a resume_offset= that is not
a number and a device that never appears (after the bounded wait) leave it to the second line
of defence, khibernate discard in the running system, which discards it and says so. Each of
those boots is a normal one: swap on, no image, khibernate check passes.
KHIB_RELIABILITY=full adds a resume by LABEL= with the default configuration.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/reliability/lib.sh"

# The configuration and the helper where it says, and junk where the defaults point.
mkdir -p other/etc other/boot/other other/boot/khib
printf 'helper_kernel = /boot/other/bzImage\nhelper_initrd = /boot/other/helper.img\n' > other/etc/khibernate.conf
cp "$KHIB_BUILD/kernel/bzImage" "$KHIB_BUILD/guest/helper.img" other/boot/other/
echo "not a kernel" > other/boot/khib/bzImage
echo "not an initramfs" > other/boot/khib/helper.img
mkdir -p killed/etc/khib-test && cp -r other/. killed/ && touch killed/etc/khib-test/kill-resume

# stale_script: what the running system's second line does (khibernate discard, as the
# khibernate-discard-stale unit runs it), then the normal boot's checks.
stale_script() {
	cat <<-\EOF
	. /usr/lib/khibernate/guest.sh
	khibernate discard --swap /dev/vda1 > /tmp/discard 2>&1 ||
		khib_result FAIL "khibernate discard failed: $(cat /tmp/discard)"
	cat /tmp/discard
	grep -q "was still waiting in /dev/vda1 and was not resumed: discarded it" /tmp/discard &&
		khib_kv stale_discarded 1
	EOF
	normal_boot_script
}

# swap_uuid DISK: the swap area's UUID, from its header (offset 1036 of page 0).
swap_uuid() {
	od -An -tx1 -j $((REL_SWAP_BASE + 1036)) -N16 "$1" | tr -d ' \n' |
		sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)/\1-\2-\3-\4-/'
}

test_expect_success QEMU 'a disk with a committed image, saved with the helper at configured paths' '
	rel_save_image saved.img "" --files other &&
	stale_script > stale.sh &&
	uuid=$(swap_uuid saved.img) && test ${#uuid} = 36 && echo "$uuid" > uuid &&
	test -z "$(blkid -p -O $REL_SWAP_BASE -o value -s UUID saved.img 2>/dev/null)"
'

# boot NAME SCRIPT APPEND [VM_BOOT_ARGS...]: a boot of a copy (NAME.img) of the saved disk.
boot() {
	local name=$1 script=$2 append=$3
	shift 3
	rel_copy saved.img $name.img &&
	vm_boot $name --disk $name.img --script $script --append "$append" --timeout 300 "$@"
}

test_expect_success QEMU 'khibernate.resume=UUID=, helper from the configuration: resumed' '
	boot uuid normal.sh "khibernate.resume=UUID=$(cat uuid)" --files other &&
	rel_expect_resumed uuid &&
	rel_console_has uuid "^khib-resume: UUID=$(cat uuid) is /dev/vda1" &&
	test "$(rel_state uuid.img)" = consumed
'

test_expect_success QEMU 'khibernate.noresume: discarded in the initramfs, normal boot' '
	boot noresume normal.sh "$REL_ARGS khibernate.noresume" --files other &&
	rel_expect_normal noresume &&
	rel_console_has noresume "^khib-resume: /dev/vda1: the hibernation image was discarded \(noresume is on the kernel command line\)" &&
	test "$(rel_state noresume.img)" = none
'

test_expect_success QEMU 'khib-resume killed halfway: the image is discarded after it, normal boot' '
	boot killed normal.sh "$REL_ARGS" --files killed &&
	rel_expect_normal killed &&
	rel_console_has killed "^khib-test: killed the resume" &&
	rel_console_has killed "^khib-resume: the resume was killed \(Killed\); discarding the image" &&
	test "$(rel_state killed.img)" = none
'

test_expect_success QEMU 'khibernate.resume_offset=abc: said; the running system discards it' '
	boot badoffset stale.sh "$REL_ARGS khibernate.resume_offset=abc" --files other &&
	rel_expect_normal badoffset &&
	rel_console_has badoffset "^khib-resume: .*khibernate.resume_offset=abc: the offset is not a number of pages" &&
	test "$(vm_kv badoffset stale_discarded)" = 1 &&
	test "$(rel_state badoffset.img)" = none
'

test_expect_success QEMU 'a device that never appears: a bounded wait, said; the running system discards it' '
	boot missing stale.sh "khibernate.resume=/dev/vdz" --files other &&
	rel_expect_normal missing &&
	rel_console_has missing "^khib-resume: waiting up to 30 s for /dev/vdz" &&
	rel_console_has missing "^khib-resume: /dev/vdz did not appear; not resuming" &&
	test "$(vm_kv missing stale_discarded)" = 1 &&
	test "$(rel_state missing.img)" = none
'

if rel_full; then
	test_expect_success QEMU 'khibernate.resume=LABEL=, the default configuration: resumed' '
		boot label normal.sh "khibernate.resume=LABEL=khibswap" &&
		rel_expect_resumed label &&
		test "$(rel_state label.img)" = consumed
	'
fi
rm -f uuid.img noresume.img killed.img badoffset.img missing.img label.img
test_done
