#!/bin/bash
# bench/replay.sh RUN [COUNT]: resume the image that bench run RUN saved, COUNT more times
# (default 1), each from a fresh copy of the disk as the save left it. The save is done once;
# each replay is the resume boot alone (about 10 s at 1 GiB under TCG), with the guest's
# initramfs as it is now (build/guest/a.img: change the helper or the hook, make guest, replay)
# and the run's own kernel (the image names it); a direct-* run is resumed by GRUB from its own
# disk again, with the restore helper the save left there. RUN comes from make bench
# BENCH_KEEP=1.
#   BENCH_REPLAY_INITRD  another initramfs for the boot kernel (default build/guest/a.img; a
#                        direct-* replay boots no kernel of A and needs none)
# Each replay is a run directory RUN-replayK beside RUN, holding RUN's save records and its own
# resume.*; its record (bench/record.py, as make bench makes them) is added to
# WORK/replays.jsonl and summed up, and bench/report.py makes tables of that file.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/vm/vm.sh"

die() { echo "replay: $*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: bench/replay.sh RUN [COUNT]"
run=$(cd "$1" 2>/dev/null && pwd) || die "$1: no such run directory"
count=${2:-1}
case $count in '' | *[!0-9]*) die "COUNT is a number, not '$count'" ;; esac
[ -s "$run/disk.saved" ] && [ -s "$run/run.env" ] ||
	die "$run: no saved disk (run make bench with BENCH_KEEP=1)"
work=$(dirname "$run")
initrd=${BENCH_REPLAY_INITRD:-$KHIB_BUILD/guest/a.img}
config="" spec="" ram="" n="" args=""
. "$run/run.env"
export KHIB_QEMU=$top/bench/qemu-wrap.sh
if [ "${config%%-*}" = direct ]; then
	[ -s "$run/boot.saved" ] && [ -s "$work/grub.lnx" ] ||
		die "$run: no GRUB disk or $work/grub.lnx (a run of make bench before replays of direct-*)"
	boot=(--extra-disk boot.img --kernel "$work/grub.lnx" --initrd "")
else
	[ -s "$initrd" ] || die "$initrd: no initramfs (make guest)"
	boot=(--kernel "$work/bzImage" --initrd "$initrd" --script fresh.sh)
fi

for k in $(seq "$count"); do
	dir=$run-replay$k
	rm -rf "$dir" && mkdir -p "$dir" || exit
	# Written back before QEMU starts: the host's writeback would compete with the boot.
	cp "$run"/save.* "$run"/swap.before "$run"/swap.after "$run"/fresh.sh "$dir/" &&
		cp --sparse=always "$run/disk.saved" "$dir/disk.img" &&
		{ [ ! -e "$run/boot.saved" ] || cp --sparse=always "$run/boot.saved" "$dir/boot.img"; } &&
		sync "$dir"/*.img || exit
	echo "replay: $(basename "$run"), $k of $count"
	(cd "$dir" && vm_boot resume --disk disk.img --mem "${ram}M" --smp 2 --append "$args" \
		--timeout 900 "${boot[@]}")
	python3 "$top/bench/record.py" run "$dir" "$config" "$spec" "$ram" "$n" >> "$work/replays.jsonl"
	rm -f "$dir"/*.img "$dir"/*.initrd
	tail -1 "$work/replays.jsonl" | python3 "$top/bench/report.py" --brief
done
