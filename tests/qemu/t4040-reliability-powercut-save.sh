#!/bin/bash
test_description='power cut during the save: the next boot is normal, or resumes a committed image

The default workload runs, khibernate starts, and QEMU is killed (SIGKILL: nothing flushed)
at points spread over the save: in A (reserving, freezing), while B boots, while the helper
writes chunks, right after the commit. The host then reads page 0 of the swap area in the
disk file: with no commit record the next boot must be a normal one (no partial image
resumed, swapon works, khibernate check passes, the hook says there was no image); with a
committed image it must resume and the workload verify. KHIB_RELIABILITY=full: 11 points;
KHIB_CUT_POINTS="WHERE:SECONDS ..." chooses them.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/reliability/lib.sh"

# WHERE:SECONDS. mark: after khibernate starts (A reserves slots ~0.5 s, then freezes and
# jumps; B boots from ~1.2 s under TCG); helper: after the helper's first line (the write
# takes 4-5 s at the disk pace REL_CUT_BPS); committed: after "image committed".
if rel_full; then
	POINTS="mark:0.2 mark:0.8 mark:2.5 helper:0 helper:0.5 helper:1 helper:1.5 helper:2 helper:2.5 helper:3 committed:0"
else
	POINTS="mark:0.8 helper:1.5 committed:0"
fi
POINTS=${KHIB_CUT_POINTS:-$POINTS}

test_expect_success QEMU 'a clean disk and the scripts' '
	vm_mkdisk clean.img 1536 64 &&
	cycle_script 1 > save.sh &&
	normal_boot_script > normal.sh &&
	test "$(rel_state clean.img)" = none
'

# cut_point I WHERE:SECONDS: save, cut, note the disk state, boot again, check the outcome.
# B powers off 0.1 s after the commit: a cut meant for then may come too late, which leaves
# the same disk as a cut after the commit.
cut_point() {
	local where=${2%%:*} when=on-time
	local -a kill=(--kill-after-console '^khib-helper: ')
	case "$where" in
	mark) kill=(--kill-after-mark hibernate-1) ;;
	committed) kill=(--kill-after-console '^khib-helper: image committed') when=late-ok ;;
	esac
	rel_cut $1 clean.img save.sh $when --workload "$REL_WORKLOAD" --delay "${2#*:}" "${kill[@]}"
}

i=0
for point in $POINTS; do
	i=$((i + 1))
	test_expect_success QEMU "power cut $i at $point: next boot as the disk says" "
		cut_point $i $point
	"
	test_info "cut $i at $point: last console line '$(rel_last_line cut$i '^(khib-helper|khibernate):' 2>/dev/null | cut -c1-70)', swap area: $(cat cut$i.state 2>/dev/null), next boot: $(vm_result next$i 2>/dev/null)"
done

test_expect_success QEMU 'the cuts left both outcomes: no image, and a committed image' '
	cat cut*.state | sort | uniq -c &&
	grep -qx none cut*.state && grep -qx committed cut*.state
'
test_done
