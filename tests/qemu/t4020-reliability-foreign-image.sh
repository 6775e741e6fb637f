#!/bin/bash
test_description='foreign image: another machine or another kernel build is refused

One save of the default workload with 1 GiB of memory. A boot of the same disk with 1280 MiB
(another firmware memory map, hence another machine id) must refuse the image, discard it
and boot normally with swap usable. The same for an image whose kernel identity was
rewritten on the host (khib-imgtool set-kernel-id, which recomputes the header checksum as
docs/image-format.md says: a well-formed image, just not of this kernel). As a control, the
image rewritten to another id and back to its own must still resume and the workload verify.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/reliability/lib.sh"

test_expect_success QEMU 'a disk with a committed image of the workload (1 GiB)' '
	rel_save_image saved.img "" --mem 1G
'

test_expect_success QEMU 'another machine (1280 MiB): refused, normal boot, swap usable' '
	rel_copy saved.img mem.img &&
	vm_boot mem --disk mem.img --mem 1280M --script normal.sh --append "$REL_ARGS" --timeout 300 &&
	rel_expect_normal mem &&
	rel_console_has mem "^khib-resume: the image was made on another machine" &&
	rel_console_has mem "^khib-resume: the image is foreign: .*; the image was discarded, swap is usable again" &&
	test "$(rel_state mem.img)" = none
'

test_expect_success QEMU 'another kernel build (kernel id rewritten): refused, normal boot' '
	rel_copy saved.img kernel.img &&
	$REL_IMGTOOL kernel.img set-kernel-id 0123456789abcdef0123456789abcdef01234567 &&
	vm_boot kernel --disk kernel.img --mem 1G --script normal.sh --append "$REL_ARGS" --timeout 300 &&
	rel_expect_normal kernel &&
	rel_console_has kernel "^khib-resume: the image was made by kernel .* \(another build\); this is " &&
	rel_console_has kernel "^khib-resume: the image is foreign: .*; the image was discarded, swap is usable again" &&
	test "$(rel_state kernel.img)" = none
'

test_expect_success QEMU 'control: rewritten to another id and back to its own, it resumes' '
	rel_copy saved.img same.img &&
	own=$(sed -n "s/.*\"kernel_id\": \"\([0-9a-f]*\)\".*/\1/p" saved.json) &&
	$REL_IMGTOOL same.img set-kernel-id 0123456789abcdef0123456789abcdef01234567 &&
	$REL_IMGTOOL same.img set-kernel-id "$own" &&
	vm_boot same --disk same.img --mem 1G --script normal.sh --append "$REL_ARGS" --timeout 300 &&
	rel_expect_resumed same
'
test_done
