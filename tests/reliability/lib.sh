# Reliability suite helpers (bash), sourced by tests/qemu/t4*-*.sh after tests/vm/lib.sh.
# See tests/reliability/README.md.
#
# Each case ends in a boot whose outcome the disk decides: the host reads the swap area of the
# disk file with the host khib-image (rel_state) and the test asserts the outcome that state
# implies: a committed image must resume, anything else must give a normal boot with swap on.
# KHIB_RELIABILITY=full (set by `make reliability`) runs every point of a case; otherwise a
# fast subset runs, as in `make check`.

. "$KHIB_TOP/tests/vm/cycle.sh"

REL_ARGS="khibernate.resume=/dev/vda1"
REL_SWAP_BASE=1048576            # vm_mkdisk: vda1 starts at sector 2048
REL_WORKLOAD=${WORKLOAD:-$KHIB_TOP/tests/workloads/default}
REL_IMGTOOL="python3 $KHIB_TOP/tests/reliability/khib-imgtool.py --base $REL_SWAP_BASE"
# The disk's pace in a boot that is cut (vm_boot --disk-bps): the default workload's image
# (about 75 MB) then takes 4-5 s to write, and as long to restore (one pass), under
# KVM as under TCG, so a cut placed by the console lands inside the step it is meant for.
REL_CUT_BPS=16000000

rel_full() {
	[ "${KHIB_RELIABILITY:-}" = full ]
}

# rel_state DISK: what page 0 of the swap area says, as the boot path reads it first: none,
# committed, consumed, torn (a commit record under SWAPSPACE2: no image) or unknown.
# (The host khib-image cannot read a partition inside a whole-disk file: its extents are
# partition offsets; khib-imgtool maps them.)
rel_state() {
	$REL_IMGTOOL "$1" locate 2>/dev/null | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'
}

# rel_copy SRC DST: a copy of a (sparse) disk image, so that each run starts from one state.
rel_copy() {
	cp --sparse=always "$1" "$2"
}

# rel_boot NAME ARGS...: vm_boot for a boot that may end in a power cut (QEMU killed: 137).
rel_boot() {
	local rc
	vm_boot "$@"
	rc=$?
	[ $rc = 0 ] || [ $rc = 137 ]
}

# normal_boot_script: the script of a boot that must be a normal one. It proves it: none of
# the workload's state, no image waiting, swapon works, and khibernate's preflight passes
# (a new hibernation could start). If the boot resumed instead, the resumed A's own script
# reports (cycle_script's PASS): rel_expect_* tell the two apart.
normal_boot_script() {
	cat <<-\EOF
	. /usr/lib/khibernate/guest.sh
	[ -d /run/khib-workload ] && khib_result FAIL "not a normal boot: the workload's state is here"
	state=$(khib-image info --json /dev/vda1 2>&1 | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p')
	khib_kv image_state "${state:-unreadable}"
	# What khib-resume said at this boot, from the kernel log (journalctl -b on a real system).
	khib_kv resume_discards "$(dmesg -r | grep -c '^<11>.*khib-resume: .*the image was discarded')"
	[ "$state" = none ] || [ "$state" = consumed ] ||
		khib_result FAIL "swap area not plain swap after boot: state '${state:-unreadable}'"
	swapon /dev/vda1 || khib_result FAIL "swapon /dev/vda1 failed"
	grep -q '^/dev/vda1 ' /proc/swaps || khib_result FAIL "/dev/vda1 is not in /proc/swaps"
	khibernate check --swap /dev/vda1 > /tmp/check 2>&1 ||
		khib_result FAIL "khibernate check refuses: $(tr '\n' ' ' < /tmp/check)"
	khib_result PASS "normal boot: swap on, no image, khibernate check passes"
	EOF
}

# rel_save_image DISK "KHIBERNATE_ARGS" [VM_BOOT_ARGS...]: a disk holding a committed image of
# the workload, saved by one cycle_script boot; also writes save.sh and normal.sh. Fails, and
# says why, unless QEMU powered off without a verdict and the swap area reads "committed"
# (its locate output is kept in DISK's name with .json).
rel_save_image() {
	local disk=$1 args=$2 state
	shift 2
	vm_mkdisk "$disk" 1536 64 &&
	cycle_script 1 "$args" > save.sh &&
	normal_boot_script > normal.sh &&
	vm_boot save --disk "$disk" --script save.sh --workload "$REL_WORKLOAD" \
		--append "$REL_ARGS" --timeout 300 "$@" &&
	vm_expect_result save NONE || return 1
	$REL_IMGTOOL "$disk" locate > "${disk%.img}.json" || return 1
	state=$(sed -n 's/.*"state": "\([a-z]*\)".*/\1/p' "${disk%.img}.json")
	if [ "$state" != committed ]; then
		echo "rel_save_image: $disk holds '$state', not a committed image" >&2
		return 1
	fi
}

# rel_expect_normal NAME: the boot was a normal one (normal_boot_script passed).
rel_expect_normal() {
	vm_expect_result "$1" PASS && grep -q "normal boot" "$1.raw"
}

# rel_expect_resumed NAME: the boot resumed A, whose cycle_script verified the workload.
rel_expect_resumed() {
	vm_expect_result "$1" PASS && grep -q "workload verified after each" "$1.raw"
}

# rel_expect_outcome NAME STATE: what the disk state before boot NAME implies: a committed
# image resumes; none or consumed (never committed, or already used) boots normally, and the
# boot hook says why nothing resumed.
rel_expect_outcome() {
	case "$2" in
	committed) rel_expect_resumed "$1" && rel_console_has "$1" "^khib-resume: resuming" ;;
	none) rel_expect_normal "$1" && ! grep -q "khib-resume: resuming" "$1.console" &&
		rel_console_has "$1" "^khib-resume: no hibernation image in /dev/vda1; normal boot" ;;
	consumed) rel_expect_normal "$1" && ! grep -q "khib-resume: resuming" "$1.console" &&
		rel_console_has "$1" "^khib-resume: no hibernation image in /dev/vda1 \(the last one was already used" ;;
	*) echo "unexpected swap area state '$2' after the cut" >&2; return 1 ;;
	esac
}

# rel_cut I SRC SCRIPT WHEN VM_BOOT_ARGS...: a power cut and the boot after it. On a copy of
# disk SRC (dI.img), boot cutI with SCRIPT and kill QEMU as VM_BOOT_ARGS say
# (--kill-after-mark or --kill-after-console, --delay); it must have been cut, unless WHEN is
# "late-ok" (a cut meant for the last moments may come after the guest ended: the same disk).
# Then record what the swap area holds in cutI.state, boot it normally as nextI, and check
# that boot did what the state implies (rel_expect_outcome).
rel_cut() {
	local i=$1 src=$2 script=$3 when=$4 state
	shift 4
	rel_copy "$src" d$i.img &&
	rel_boot cut$i --disk d$i.img --script "$script" --append "$REL_ARGS" \
		--disk-bps $REL_CUT_BPS --timeout 300 "$@" &&
	{ test -f cut$i.cut || test "$when" = late-ok ||
		{ echo "the guest ended before the cut" >&2; false; }; } &&
	state=$(rel_state d$i.img) && echo "$state" > cut$i.state &&
	vm_boot next$i --disk d$i.img --script normal.sh --append "$REL_ARGS" --timeout 300 &&
	rel_expect_outcome next$i "$state" &&
	rm -f d$i.img
}

# rel_console_has NAME REGEX: the boot's console has a line matching REGEX (grep -E). A line of
# khibernate's programs is on the console twice, as they wrote it and as the kernel prints its
# /dev/kmsg record ("[    3.58] khib-resume: ..."), and the kernel's copy can start in the
# middle of the program's line: each kernel timestamp starts a line of its own here.
rel_console_has() {
	tr -d '\r' < "$1.console" | sed -E 's/ *\[ *[0-9]+\.[0-9]+\] /\n/g' | grep -qE "$2" &&
		return 0
	echo "$1.console: no line matches '$2'; last lines:" >&2
	tail -15 "$1.console" >&2
	return 1
}

# rel_last_line NAME REGEX: the last console line matching REGEX (where a cut landed).
rel_last_line() {
	tr -d '\r' < "$1.console" | grep -E "$2" | tail -1
}
