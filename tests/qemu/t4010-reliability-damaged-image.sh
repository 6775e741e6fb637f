#!/bin/bash
test_description='damaged image: refused with the reason, normal boot, swap usable again

One save of the default workload; then, on a copy of that disk each time, the host damages
the image with tests/reliability/khib-imgtool.py (one byte flipped in the commit record, the
extent table, the header, the chunk table or a random chunk; or the last chunks zeroed, a
truncated image) and boots. Damage the boot path sees (record, extents, header) is refused
there: the image is discarded and the same boot goes on normally. Damage only a full read
finds is found by the restore helper: in the chunk table before it writes any page, in a chunk
when its one pass reaches that chunk (pages before it are written by then). Either way it says
so and reboots; the image is already consumed, so the next boot is a normal one.
Every normal boot: swapon works, no image, khibernate check passes; a refusal at boot is
in the kernel log. KHIB_RELIABILITY=full
adds the extent table and chunk table cases; KHIB_DAMAGE="WHAT ..." chooses them.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/reliability/lib.sh"

if rel_full; then
	DAMAGE="record extents header chunk-table chunk:random tail:3"
else
	DAMAGE="record header chunk:random tail:3"
fi
DAMAGE=${KHIB_DAMAGE:-$DAMAGE}

test_expect_success QEMU 'a disk with a committed image of the workload' '
	rel_save_image saved.img ""
'

# damaged I WHAT: damage a copy, boot it, check the refusal and the normal boot.
damaged() {
	local i=$1 what=$2
	rel_copy saved.img d$i.img &&
	$REL_IMGTOOL d$i.img damage "$what" > d$i.damage &&
	case "$what" in
	record|extents|header)
		vm_boot boot$i --disk d$i.img --script normal.sh --append "$REL_ARGS" --timeout 300 &&
		rel_expect_normal boot$i &&
		if [ "$what" = record ]; then
			rel_console_has boot$i "^khib-resume: the commit record is corrupt: corrupt image.*; the image was discarded, swap is usable again"
		else
			rel_console_has boot$i "^khib-resume: the image cannot be read: corrupt image.*; the image was discarded, swap is usable again"
		fi &&
		test "$(vm_kv boot$i resume_discards)" = 1 &&
		test "$(rel_state d$i.img)" = none
		;;
	*)
		vm_boot boot$i --disk d$i.img --script normal.sh --append "$REL_ARGS" --timeout 300 &&
		vm_expect_result boot$i NONE &&
		rel_console_has boot$i "^khib-resume: resuming" &&
		rel_console_has boot$i "^khib-helper: restoring A's memory \(the image stays consumed; booting normally\): corrupt image" &&
		if [ "$what" = chunk-table ]; then
			! rel_console_has boot$i "^khib-helper: restoring +[0-9]+%" 2>/dev/null
		else
			! rel_console_has boot$i "^khib-helper: (restoring +100%|memory restored)" 2>/dev/null
		fi &&
		test "$(rel_state d$i.img)" = consumed &&
		vm_boot next$i --disk d$i.img --script normal.sh --append "$REL_ARGS" --timeout 300 &&
		rel_expect_normal next$i &&
		rel_console_has next$i "^khib-resume: no hibernation image in /dev/vda1 \(the last one was already used"
		;;
	esac &&
	rm -f d$i.img
}

i=0
for what in $DAMAGE; do
	i=$((i + 1))
	test_expect_success QEMU "damaged $what: refused, then a normal boot with swap" "
		damaged $i $what
	"
	test_info "$what: $(cat d$i.damage 2>/dev/null); said: '$(rel_last_line boot$i '^khib-(resume|helper): .*(corrupt|discarded)' 2>/dev/null | cut -c1-110)'"
done
test_done
