#!/bin/bash
test_description='power cut during the restore: the next boot does not loop into the image

One save of the default workload; then, from a copy of that disk each time, a resume boot
is killed (SIGKILL) at a point of the restore: before the image is marked consumed, while the
restore helper boots, while its one pass reads, checks and writes A'"'"'s pages back (early,
half way, late), as it jumps to A. The host reads page 0:
a still committed image must resume correctly; a consumed one must give a normal boot
(swapon works, khibernate check passes) that says the image was already used: never a
second try of a half-restored image. KHIB_RELIABILITY=full: 7 points; KHIB_CUT_POINTS
chooses them.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/reliability/lib.sh"

# WHERE:SECONDS after the console line of each step of the resume boot. The restore is one
# pass (the metadata checked first, then each chunk read, checked and written once); its first
# progress line comes a second into it, and at REL_CUT_BPS it lasts 5-6 s: restoring:0 cuts
# early in it, restoring:1 about a third in, restoring:2.5 past half way (13, 38 and 57 % of
# the default workload's 146 MiB under TCG), each after A's first pages were written.
declare -A LINE=(
	[found]='^khib-resume: hibernation image found'   # before the image is consumed
	[resuming]='^khib-resume: resuming'               # consumed; restore-B boots
	[restoring]='^khib-helper: restoring'             # chunks checked, A's pages written
	[restored]='^khib-helper: memory restored'        # jumping to A, A resumes devices
)
if rel_full; then
	POINTS="found:0 resuming:0.3 resuming:2 restoring:0 restoring:1 restoring:2.5 restored:0"
else
	POINTS="resuming:0.3 restoring:0.3"
fi
POINTS=${KHIB_CUT_POINTS:-$POINTS}

test_expect_success QEMU 'a disk with a committed image of the workload' '
	rel_save_image saved.img ""
'

# cut_point I WHERE:SECONDS: resume, cut, note the disk state, boot again, check the outcome.
cut_point() {
	rel_cut $1 saved.img normal.sh on-time --kill-after-console "${LINE[${2%%:*}]}" \
		--delay "${2#*:}"
}

i=0
for point in $POINTS; do
	i=$((i + 1))
	test_expect_success QEMU "power cut $i at $point of the restore: next boot as the disk says" "
		cut_point $i $point
	"
	test_info "cut $i at $point: last console line '$(rel_last_line cut$i '^khib' 2>/dev/null | cut -c1-70)', swap area: $(cat cut$i.state 2>/dev/null), next boot: $(vm_result next$i 2>/dev/null)"
done

test_expect_success QEMU 'cuts after the image was consumed boot normally' '
	grep -qx consumed cut*.state
'
test_done
