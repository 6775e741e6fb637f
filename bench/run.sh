#!/bin/bash
# make bench: khibernate against the kernel's own hibernation, same kernel, QEMU and disk, in
# one run. See docs/bench/README.md for the method; bench/report.py makes the tables and plots.
#   BENCH_SIZES    what to measure (default "256 1024 2048 full"), each one of
#                    MiB        that much mixed data in use, in a guest with room for the
#                               kernel's copy (2 x MiB + 512, rounded up to a GiB); the kernel
#                               saves all of it (/sys/power/image_size = all of RAM)
#                    full[:MiB] memory nearly full: 85% of a MiB guest (default 2048) in use;
#                               the kernel keeps its default image_size (2/5 of RAM)
#   BENCH_CONFIGS  which systems (default all): khib-lz4-1 khib-lz4-2 khib-none-1 khib-none-2
#                  (khibernate --compress ALG --threads N), kernel-lzo kernel-lz4
#                  (hibernate.compressor=ALG); not in the default: direct-ALG-N, khib-ALG-N
#                  with direct_resume = 1, resumed by GRUB (bench/grub.sh: grub-pc-bin)
#   BENCH_RUNS     runs of each (default 3)
#   BENCH_WORK     scratch directory (default build/bench/runs; emptied first)
#   BENCH_OUT      where results go (default docs/bench)
#   BENCH_KEEP     1: keep each run's disk as the save left it (RUN/disk.saved, sparse: about
#                  the image's size; direct-*: GRUB's disk too, RUN/boot.saved) for
#                  bench/replay.sh, which restores it again
# One QEMU at a time. A failed run is recorded as failed and the bench goes on.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/vm/vm.sh"
. "$top/bench/grub.sh"

sizes=${BENCH_SIZES:-256 1024 2048 full}
configs=${BENCH_CONFIGS:-khib-lz4-1 khib-lz4-2 khib-none-1 khib-none-2 kernel-lzo kernel-lz4}
runs=${BENCH_RUNS:-3}
work=${BENCH_WORK:-$top/build/bench/runs}
out=${BENCH_OUT:-$top/docs/bench}
workload=$top/tests/workloads/bench
# The memory-nearly-full scenario: percent of MemTotal in use, guest MiB when "full" names none.
FULL_PCT=85
FULL_GUEST=2048

# Guest RAM for SIZE MiB in use: the kernel's hibernation copies the image into free memory
# before writing it, so it needs about as much free as in use; plus room for the kernel, the
# initramfs and the helper's 128 MiB region. 256 -> 1 GiB, 1024 -> 3 GiB, 2048 -> 5 GiB.
guest_mib() { echo $(( (2 * $1 + 512 + 1023) / 1024 * 1024 )); }

# The script of the boot that fills memory and hibernates; after the resume it goes on here.
# SCENARIO mixed: FILL MiB in use, the kernel saves all of it; full: FILL percent of MemTotal in
# use, the kernel shrinks memory to its default image_size first. Around the hibernation the
# workload's state (memory and disk counters) is reported, and after the resume the working set
# is brought back (the page-cache file re-read, every anonymous page touched) before verify.
save_script() {
	local config=$1 scenario=$2 fill=$3 ram=$4
	cat <<-EOF
	. /usr/lib/khibernate/guest.sh
	swapon /dev/vda1 || khib_result FAIL "swapon"
	EOF
	if [ "$scenario" = full ]; then
		echo "export BENCH_FILL=$fill"
	else
		echo "export BENCH_MEM=$fill"
	fi
	cat <<-\EOF
	run_workload start || khib_result FAIL "workload start failed"
	khib_kv workload_mib "$(cat /run/khib-workload/mib)"
	khib_kv cpu_model "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	khib_kv cpu_flags "$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -1 | md5sum | cut -c1-8)"
	EOF
	# mixed: the kernel's image_size = all of RAM, so that it saves what is in use instead of
	# first dropping the page cache and swapping out to reach 2/5 of RAM (its default); full:
	# the default, the point of that scenario.
	case $config in
	kernel-*)
		[ "$scenario" = full ] || echo "echo $((ram << 20)) > /sys/power/image_size"
		# shellcheck disable=SC2016 # expanded in the guest
		echo 'khib_kv image_size "$(cat /sys/power/image_size)"'
		echo 'echo shutdown > /sys/power/disk'
		;;
	esac
	cat <<-\EOF
	khib_kv state_before "$(run_workload state)"
	khib_kv mem_in_use_kib $(awk '/^MemTotal/ { t = $2 } /^MemFree/ { f = $2 } END { print t - f }' /proc/meminfo)
	khib_mark hibernate
	EOF
	case $config in
	direct-*)
		# GRUB's disk (bench/grub.sh) over the guest's /boot/grub and /boot/khibernate.
		cat <<-\EOF
		mkdir -p /mnt/gboot /boot/grub /boot/khibernate && mount /dev/vdb /mnt/gboot &&
			mount -o bind /mnt/gboot/boot/grub /boot/grub &&
			mount -o bind /mnt/gboot/boot/khibernate /boot/khibernate ||
			khib_result FAIL "mounting GRUB's disk"
		echo "direct_resume = 1" >> /etc/khibernate.conf
		EOF
		;;
	esac
	case $config in
	khib-* | direct-*)
		local alg=${config#*-}
		cat <<-EOF
		khibernate --swap /dev/vda1 --compress ${alg%-*} --threads ${alg##*-} --stats /run/stats.json
		rc=\$?
		khib_mark resumed
		[ \$rc = 0 ] || khib_result FAIL "khibernate exited \$rc"
		khib_kv khib_stats "\$(tr -d ' \n' < /run/stats.json)"
		EOF
		;;
	kernel-*)
		cat <<-EOF
		echo disk > /sys/power/state || khib_result FAIL "echo disk failed"
		khib_mark resumed
		EOF
		;;
	esac
	cat <<-\EOF
	khib_kv state_resumed "$(run_workload state)"
	sh /khib-test/workload/back files || khib_result FAIL "re-reading the workload's files failed"
	khib_mark files_back
	sh /khib-test/workload/back anon || khib_result FAIL "touching the workload's memory failed"
	khib_mark working_set_back
	khib_kv state_back "$(run_workload state)"
	run_workload verify || khib_result FAIL "workload verify failed after resume"
	khib_mark verified
	khib_result PASS "verified after resume"
	EOF
}

kernel_args() {
	case $1 in
	khib-* | direct-*) echo "khibernate.resume=/dev/vda1" ;;
	# no_console_suspend: the kernel's progress lines are its phase timestamps.
	kernel-*) echo "resume=/dev/vda1 hibernate.compressor=${1#kernel-} no_console_suspend" ;;
	esac
}

# one_run CONFIG SPEC N: hibernate, power off, cold boot, resume, verify; records the run.
# SPEC is an entry of BENCH_SIZES: MiB of mixed data, or full[:GUEST_MiB].
one_run() {
	local config=$1 spec=$2 n=$3 scenario fill ram dir args swap_mib data_mib
	case $spec in
	full | full:*)
		scenario=full fill=$FULL_PCT ram=${spec#full}; ram=${ram#:}; ram=${ram:-$FULL_GUEST}
		spec=full:$ram data_mib=$((ram / 4 + 128))
		echo "bench: memory nearly full ($fill% of a $ram MiB guest), $config, run $n"
		;;
	*)
		scenario=mixed fill=$spec ram=$(guest_mib "$spec") data_mib=$((spec / 4 + 128))
		echo "bench: $spec MiB in use, $config, run $n (guest $ram MiB)"
		;;
	esac
	dir=$work/${spec/:/-}-$config-$n
	args=$(kernel_args "$config")
	swap_mib=$((ram + 256))
	mkdir -p "$dir" && cd "$dir" || return
	vm_mkdisk disk.img $swap_mib $data_mib &&
		python3 "$top/bench/record.py" alloc disk.img 1 $swap_mib > swap.before &&
		save_script "$config" "$scenario" "$fill" "$ram" > save.sh &&
		printf '. /usr/lib/khibernate/guest.sh\nkhib_result FAIL "booted fresh: no resume"\n' > fresh.sh ||
		return
	local boot=(--disk disk.img --mem "${ram}M" --smp 2 --append "$args" --timeout 900)
	local save=(--kernel "$work/bzImage" --initrd "$work/a.img") resume=()
	if [ "${config%%-*}" = direct ]; then
		# GRUB starts the resume: no kernel of A, no initramfs, no fresh-boot script.
		bench_grub_boot_disk boot.img || return
		boot+=(--extra-disk boot.img)
		resume=(--kernel "$work/grub.lnx" --initrd "")
	else
		resume=("${save[@]}" --script fresh.sh)
	fi
	vm_boot save "${boot[@]}" "${save[@]}" --script save.sh --workload "$workload"
	python3 "$top/bench/record.py" alloc disk.img 1 $swap_mib > swap.after
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		cp --sparse=always disk.img disk.saved &&
			{ [ ! -e boot.img ] || cp --sparse=always boot.img boot.saved; } &&
			printf 'config=%q spec=%q ram=%q n=%q args=%q\n' "$config" "$spec" "$ram" "$n" "$args" \
				> run.env
	fi
	[ "$(vm_result save)" = NONE ] && vm_boot resume "${boot[@]}" "${resume[@]}"
	python3 "$top/bench/record.py" run "$dir" "$config" "$spec" "$ram" "$n" >> "$work/runs.jsonl"
	rm -f disk.img boot.img ./*.initrd
	tail -1 "$work/runs.jsonl" | python3 "$top/bench/report.py" --brief
}

rm -rf "$work" && mkdir -p "$work" || exit
# The guest images as they are now: colleagues may rebuild build/ while the bench runs.
cp -L "$KHIB_BUILD/kernel/bzImage" "$KHIB_BUILD/guest/a.img" "$work/" || exit
vm_accel > "$work/accel"
case " $configs " in
*" direct-"*) bench_grub_kernel "$work/grub.lnx" || exit ;;
esac
export KHIB_QEMU=$top/bench/qemu-wrap.sh
echo "bench: sizes $sizes; configs $configs; $runs runs each; $(cat "$work/accel"); work in $work"
for spec in $sizes; do
	for n in $(seq "$runs"); do
		for config in $configs; do
			(one_run "$config" "$spec" "$n")
		done
	done
done
python3 "$top/bench/report.py" --out "$out" "$work/runs.jsonl"
