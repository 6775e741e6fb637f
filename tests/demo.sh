#!/bin/bash
# make demo: one whole hibernate/resume cycle of a QEMU guest, explained, with timings.
# Runs tests/qemu/t3000-khibernate-cycle.sh (three cycles) and summarises its first cycle.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/vm/vm.sh"
dir=$KHIB_BUILD/test-tmp/t3000-khibernate-cycle

cat <<'TXT'
khibernate demo
  A QEMU guest (1 GiB, 2 vCPUs) runs a workload: a process counting in memory, files in tmpfs,
  a 64 MiB buffer of known content. `khibernate` saves its memory to the swap partition
  through the helper kernel and powers off. A new QEMU process boots the same disk; the resume
  hook restores the memory and the workload is verified. Three times in a row.

TXT
bash "$top/tests/qemu/t3000-khibernate-cycle.sh" --keep
rc=$?
[ -f "$dir/save1.end" ] || { echo "demo: the run left no results in $dir"; exit 1; }

cd "$dir" || exit 1
hib=$(vm_mark_time save1 hibernate-1)
echo
echo "First cycle, seen from the host ($(vm_accel | sed 's/-accel //')):"
printf '  %-44s %6s s\n' "khibernate command -> power-off" "$(vm_elapsed "$hib" "$(cat save1.end)")"
printf '  %-44s %6s s\n' "QEMU start -> khibernate returned in A" \
	"$(vm_elapsed "$(cat resume1.start)" "$(vm_mark_time resume1 resumed-1)")"
stats=$(vm_kv resume1 stats_1)
field() { echo "$stats" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
phases=$(echo "$stats" | sed -n 's/.*"phase_s":\[\([^]]*\)\].*/\1/p')
printf '  %-44s %6.2f s\n' "  of which the restore helper's kernel boot" "$(field helper_boot_s)"
printf '  %-44s %6.2f s\n' "  opening the image, checking its metadata" "$(echo "$phases" | cut -d, -f1)"
printf '  %-44s %6.2f s\n' "  reading, checking, writing the memory back" "$(echo "$phases" | cut -d, -f2)"
echo "  image: $(( $(vm_kv resume1 image_bytes_1) / 1048576 )) MiB for $(( $(vm_kv resume1 memory_in_use_1) / 1048576 )) MiB of memory in use"
echo
echo "What the helper printed while saving (save1.console) and restoring (resume1.console):"
grep -h -E "^(khibernate|khib-helper|khib-resume):" save1.console resume1.console | sed 's/^/  /' | head -20
echo
echo "Verdict of the last boot: $(vm_result resume3)"
echo "(everything is kept in $dir)"
exit $rc
