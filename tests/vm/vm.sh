# QEMU harness for khibernate's end-to-end tests (sourced; bash). See docs/testing.md.
#
# A "boot" is one QEMU process. vm_boot NAME starts it and waits until it exits (the guest
# powered off or rebooted: -no-reboot makes both end the process) or its timeout kills it.
# Per boot, in the current directory:
#   NAME.console   the guest's console (ttyS0)
#   NAME.results   what the guest reported on ttyS1 (KV, MARK, RESULT lines), each line
#                  prefixed with the host time it arrived (seconds since the epoch)
#   NAME.start, NAME.end   host times the process started and ended
#   NAME.qemu      QEMU's own messages
# A cold boot is simply another vm_boot on the same disk.

KHIB_TOP=${KHIB_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KHIB_BUILD=${KHIB_BUILD:-$KHIB_TOP/build}
KHIB_QEMU=${KHIB_QEMU:-qemu-system-x86_64}
# Kernel A's command line in every test: the helper's region and the low hole B needs.
KHIB_REGION_ARGS='crashkernel=128M@0x10000000 memmap=64K$0x80000'

# vm_accel: KVM when it really runs a guest here, TCG otherwise (KHIB_ACCEL=tcg|kvm forces).
# /dev/kvm can exist and still fail (nested virtualisation without the CPU features QEMU
# asks for), so the first call boots our kernel to a panic under KVM and keeps the answer.
vm_accel() {
	local cache=$KHIB_BUILD/accel
	case "${KHIB_ACCEL:-auto}" in
	tcg) echo "-accel tcg"; return ;;
	kvm) echo "-accel kvm"; return ;;
	esac
	if [ ! -s "$cache" ]; then
		local log
		log=$(mktemp)
		if [ -w /dev/kvm ] && timeout 15 "$KHIB_QEMU" -nodefaults -no-user-config \
			-display none -no-reboot -accel kvm -m 256 -kernel "$KHIB_BUILD/kernel/bzImage" \
			-append "console=ttyS0 panic=-1 init=/nonexistent" -serial "file:$log" \
			>/dev/null 2>&1 && grep -q 'Kernel panic' "$log"; then
			echo "-accel kvm" > "$cache"
		else
			echo "-accel tcg" > "$cache"
		fi
		rm -f "$log"
	fi
	cat "$cache"
}

# vm_mkdisk PATH [SWAP_MIB] [DATA_MIB]: a sparse raw disk with an MBR, vda1 = swap (mkswap'd),
# vda2 = ext4 data. Made without loop devices or root.
vm_mkdisk() {
	local disk=$1 swap_mib=${2:-2560} data_mib=${3:-256}
	local swap_start=2048 swap_sectors=$((swap_mib * 2048))
	local data_start=$((swap_start + swap_sectors)) data_sectors=$((data_mib * 2048))
	rm -f "$disk" "$disk.part"
	truncate -s $(( (data_start + data_sectors) * 512 )) "$disk"
	printf 'label: dos\n%s,%s,82\n%s,%s,83\n' "$swap_start" "$swap_sectors" \
		"$data_start" "$data_sectors" | sfdisk -q "$disk" || return
	truncate -s $((swap_sectors * 512)) "$disk.part"
	mkswap -q -L khibswap "$disk.part" >/dev/null || return
	dd if="$disk.part" of="$disk" bs=4096 count=1 seek=$((swap_start / 8)) conv=notrunc \
		status=none || return
	rm -f "$disk.part"
	mkfs.ext4 -q -F -L khibdata -E offset=$((data_start * 512)) "$disk" "${data_mib}M"
}

# vm_overlay OUT SCRIPT [WORKLOAD_DIR] [FILES_DIR]: an initramfs archive holding /khib-test/run
# (the boot's script), /khib-test/workload and FILES_DIR's tree under / (e.g. etc/khibernate/...),
# to append to the base initramfs.
vm_overlay() {
	local out=$1 script=$2 workload=${3:-} files=${4:-} dir
	dir=$(mktemp -d) || return
	mkdir -p "$dir/khib-test"
	cp "$script" "$dir/khib-test/run"
	[ -z "$workload" ] || cp -r "$workload" "$dir/khib-test/workload"
	[ -z "$files" ] || cp -r "$files"/. "$dir"/
	"$KHIB_TOP/tests/guest/mkinitramfs.sh" overlay "$out" "$dir"
	local rc=$?
	rm -rf "$dir"
	return $rc
}

# vm_boot NAME [--disk F] [--mem M] [--smp N] [--append ARGS] [--script F] [--workload DIR]
#              [--files DIR] [--region-args ARGS] [--timeout S] [--kernel F] [--initrd F]
#              [--kill-after-mark M | --kill-after-console REGEX] [--delay S] [--disk-bps B]
#              [--from-disk] [--script-disk F] [--extra-disk F] [--hold-shift-until REGEX]
# --from-disk: the firmware boots the disk (its boot loader, its kernel, its initramfs): no
# -kernel, -initrd or -append, so --append, --script and --region-args do not apply; the
# system on the disk sets its own command line (tests/debian/).
# The console's lines then also go to NAME.console.times, each with the host time it arrived.
# --extra-disk F: the raw image F, writable, as the virtio disk after --disk (make bench's
# boot disk for GRUB: bench/grub.sh).
# --script-disk F: F is attached read-only as a second virtio disk with the serial "khibtest"
# (/sys/block/vdX/serial in the guest), e.g. a tar of the boot's script for a guest that
# boots from its own disk.
# --initrd "": no initramfs (e.g. a kernel that mounts root= itself).
# A disk named *.qcow2 is opened as qcow2 (an overlay of a shared base: a test's own copy
# costs nothing), any other as raw.
# --files DIR: DIR's tree is added to the initramfs under / (with --script).
# --region-args ARGS: replace A's fixed $KHIB_REGION_ARGS (e.g. "" for a boot without a region).
# --kill-after-mark M: kill QEMU (a power cut) S seconds after the guest reports MARK M;
# --kill-after-console REGEX: the same after a console line matches REGEX (grep -E), for
# moments no script can mark (the boot hook, the helper kernel).
# --disk-bps B: the disk moves at most B bytes/s (reads and writes together). A power cut meant
# for the middle of the image's write or read then lands there whether the guest runs under
# KVM (where 70 MB pass in a fraction of a second) or TCG: the disk, not the CPU, sets the pace.
# --hold-shift-until REGEX: Shift is held on the guest's keyboard from the start until a
# console line matches REGEX (tests/vm/hold-key.py, through QMP at NAME.qmp): what a boot
# loader that looks at the modifier keys sees as a user holding Shift.
vm_boot() {
	local name=$1; shift
	local disk="" mem=1G smp=2 append="" script="" workload="" timeout=${KHIB_VM_TIMEOUT:-600}
	local kernel=$KHIB_BUILD/kernel/bzImage initrd=$KHIB_BUILD/guest/a.img
	local kill_mark="" kill_console="" kill_delay=0 files="" region=$KHIB_REGION_ARGS bps=""
	local from_disk="" script_disk="" extra_disk="" hold_shift=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--from-disk) from_disk=1; shift; continue ;;
		--script-disk) script_disk=$2 ;;
		--extra-disk) extra_disk=$2 ;;
		--disk) disk=$2 ;; --mem) mem=$2 ;; --smp) smp=$2 ;; --append) append=$2 ;;
		--script) script=$2 ;; --workload) workload=$2 ;; --timeout) timeout=$2 ;;
		--kernel) kernel=$2 ;; --initrd) initrd=$2 ;; --files) files=$2 ;;
		--region-args) region=$2 ;;
		--kill-after-mark) kill_mark=$2 ;; --kill-after-console) kill_console=$2 ;;
		--delay) kill_delay=$2 ;; --disk-bps) bps=$2 ;;
		--hold-shift-until) hold_shift=$2 ;;
		*) echo "vm_boot: unknown option $1" >&2; return 2 ;;
		esac
		shift 2
	done

	local img=$initrd
	if [ -n "$script" ]; then
		vm_overlay "$name.overlay" "$script" "$workload" "$files" || return
		cat "$initrd" "$name.overlay" > "$name.initrd"
		img=$name.initrd
	fi
	rm -f "$name".{console,console.times,results,raw,start,end,qemu,cut,qmp}
	: > "$name.raw"

	# no_timer_check: the IO-APIC timer check can miss its ticks on a loaded TCG host and
	# panic the guest ("IO-APIC + timer doesn't work!"); the helper gets it from the product.
	local cmdline="console=ttyS0 panic=-1 no_timer_check $region $append"
	local drive=() boot=(-kernel "$kernel" -initrd "$img" -append "$cmdline")
	local format=raw
	case "$disk" in *.qcow2) format=qcow2 ;; esac
	[ -z "$disk" ] || drive=(-drive "file=$disk,format=$format,if=virtio${bps:+,throttling.bps-total=$bps}")
	[ -n "$img" ] || boot=(-kernel "$kernel" -append "$cmdline")
	if [ -n "$from_disk" ]; then
		# The firmware boots the first disk it finds unless told: the system's disk is vda
		# and the boot device, whatever else is attached.
		boot=()
		drive=(-drive "file=$disk,format=$format,if=none,id=disk${bps:+,throttling.bps-total=$bps}"
			-device virtio-blk-pci,drive=disk,bootindex=0)
	fi
	[ -z "$extra_disk" ] || drive+=(-drive "file=$extra_disk,format=raw,if=virtio")
	[ -z "$script_disk" ] || drive+=(-drive "file=$script_disk,format=raw,if=none,id=khibtest,readonly=on"
		-device virtio-blk-pci,drive=khibtest,serial=khibtest)
	# shellcheck disable=SC2046
	set -- $KHIB_QEMU -nodefaults -no-user-config -display none -no-reboot \
		$(vm_accel) -m "$mem" -smp "$smp" \
		"${boot[@]}" \
		-serial "file:$name.console" \
		-chardev "file,id=results,path=$name.raw" -serial chardev:results \
		"${drive[@]}"
	[ -z "$hold_shift" ] || set -- "$@" -qmp "unix:$name.qmp,server,nowait"

	# Timestamp each result line as it arrives: host times are the only clock that runs
	# through power-off and cold boot.
	tail -n +1 -F "$name.raw" 2>/dev/null | while IFS= read -r line; do
		printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"
	done > "$name.results" &
	local stamper=$! console_stamper=""
	# A boot from disk goes through firmware, boot loader and initramfs before any script
	# runs: its console lines get host times too (NAME.console.times), to time those phases.
	if [ -n "$from_disk" ]; then
		: > "$name.console"  # there before tail starts: it follows it by inotify, not 1 s polls
		tail -n +1 -F "$name.console" 2>/dev/null | while IFS= read -r line; do
			printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"
		done > "$name.console.times" &
		console_stamper=$!
	fi

	echo "$EPOCHREALTIME" > "$name.start"
	timeout -k 5 "$timeout" "$@" 2> "$name.qemu" &
	local qemu=$!
	if [ -n "$kill_mark" ]; then
		vm_power_cut_after "$name" "$kill_mark" "$kill_delay" "$qemu" &
	elif [ -n "$kill_console" ]; then
		vm_power_cut_after "$name" "$kill_console" "$kill_delay" "$qemu" console &
	fi
	local holder=""
	if [ -n "$hold_shift" ]; then
		python3 "$KHIB_TOP/tests/vm/hold-key.py" "$name.qmp" "$name.console" "$hold_shift" &
		holder=$!
	fi
	wait $qemu
	local rc=$?
	[ -z "$holder" ] || wait "$holder"
	echo "$EPOCHREALTIME" > "$name.end"
	sleep 0.3
	for stamper in $stamper $console_stamper; do
		pkill -P $stamper 2>/dev/null
		kill $stamper 2>/dev/null
		wait $stamper 2>/dev/null
	done
	[ $rc = 124 ] && echo "vm_boot: $name: timed out after ${timeout}s (console: $name.console)" >&2
	[ $rc = 0 ] || [ $rc = 124 ] || [ $rc = 137 ] ||
		echo "vm_boot: $name: QEMU failed ($rc): $(tail -3 "$name.qemu")" >&2
	return $rc
}

# Kill QEMU (SIGKILL: nothing is flushed by the guest) DELAY seconds after MARK appears, or
# with "console" as 5th argument, after a console line matches the regex MARK. The host time
# of the cut goes to NAME.cut. tail -F follows the file as it grows (inotify), so the cut
# lands within milliseconds of the line: some moments (commit to power-off) last 0.1 s.
vm_power_cut_after() {
	local name=$1 mark=$2 delay=$3 pid=$4 file=$1.raw regex="^MARK $2"$'\r?$' qemu
	[ "${5:-mark}" = console ] && file=$1.console regex=$2
	until qemu=$(pgrep -P "$pid"); do  # QEMU itself, the child of timeout(1)
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.01
	done
	# On the console, a kernel record can cut a program's line in two (vm_console_lines): each
	# record starts a line of its own here, so that the kernel's whole copy of it matches.
	grep -m1 -qE "$regex" < <(tail --pid="$pid" -n +1 -F "$file" 2>/dev/null |
		sed -uE 's/\[ *[0-9]+\.[0-9]+\] /\n/g') || return 0
	[ "$delay" = 0 ] || sleep "$delay"
	kill -KILL "$qemu" 2>/dev/null && echo "$EPOCHREALTIME" > "$name.cut"
}

# vm_result NAME: prints the boot's verdict line ("PASS message" or "FAIL message"), or
# "NONE" when the guest reported none. Exactly one verdict per boot is accepted.
vm_result() {
	local n
	n=$(tr -d '\r' < "$1.raw" | grep -c '^RESULT ')
	case "$n" in
	0) echo NONE ;;
	1) tr -d '\r' < "$1.raw" | sed -n 's/^RESULT //p' ;;
	*) echo "FAIL $n verdicts in one boot" ;;
	esac
}

# vm_expect_result NAME PASS|FAIL|NONE: succeed only if the boot's verdict is that.
vm_expect_result() {
	local got
	got=$(vm_result "$1")
	[ "${got%% *}" = "$2" ] && return 0
	echo "vm: $1: expected $2, got: $got" >&2
	echo "--- last lines of $1.console:" >&2
	tail -25 "$1.console" >&2
	return 1
}

# vm_console_lines NAME: the boot's console as the guest's programs wrote it. khibernate's
# programs write each line twice, to the console and to /dev/kmsg, and the kernel prints the
# record ("[    3.58] khibernate: ...") whole but wherever the program's own line has got to,
# so it can cut that line in two. Every kernel record is cut out here, which joins the
# program's lines again: count or anchor (^khibernate:) on this, never on NAME.console.
vm_console_lines() {
	tr -d '\r' < "$1.console" | perl -0pe 's/\[ *\d+\.\d+\] [^\n]*\n//g'
}

# vm_mark_time NAME MARK: host time at which the guest reported MARK (empty if never).
vm_mark_time() {
	awk -v m="$2" '$2 == "MARK" && $3 == m { print $1; exit }' "$1.results"
}

# vm_kv NAME KEY: a value the guest reported with khib_kv.
vm_kv() {
	awk -v k="$2" '$2 == "KV" && $3 == k { print $4; exit }' "$1.results"
}

# vm_elapsed FROM TO: seconds between two host times, 2 decimals.
vm_elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", b - a }'
}
