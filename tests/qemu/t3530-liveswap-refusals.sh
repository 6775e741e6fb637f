#!/bin/bash
test_description='live swap: refusals before anything is frozen or reserved

One boot. With the live-swap workload partly in a 256 MiB swap partition, the area is too small
for the image: khibernate refuses in its preflight, says so and what to do, and A is untouched
(swap use as before, no image, every byte of the workload intact). Swap files whose offsets
cannot be trusted are refused with the reason: a file with holes on ext4 (the kernel will not
swapon it either), a file on tmpfs (no block device underneath), and a swap file that is not on
(only the kernel maps its slots).'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/workloads/liveswap/host.bash"

cat > refuse.sh <<'EOS'
. /usr/lib/khibernate/guest.sh
fail() { khib_result FAIL "$*"; }
used_kib() { awk '$1 == "/dev/vda1" { print $4 }' /proc/swaps; }
# refused PATTERN ARGS...: `khibernate ARGS` must stop in its preflight with exit 1 and say PATTERN.
refused() {
	local pattern=$1 rc
	shift
	khibernate "$@" > /tmp/out 2>&1
	rc=$?
	cat /tmp/out
	[ $rc = 1 ] || fail "khibernate $*: exit $rc, not 1: $(cat /tmp/out)"
	grep -q -- "$pattern" /tmp/out || fail "khibernate $*: does not say '$pattern': $(cat /tmp/out)"
	grep -q "refused, nothing was changed: " /tmp/out || fail "khibernate $*: $(cat /tmp/out)"
}

swapon /dev/vda1 || fail "swapon"
export LIVESWAP_OVER=60
run_workload start || fail "workload start"
# others_kib: what the kernel can push to swap besides the workload: the anonymous memory of
# every other process, and shmem (tmpfs).
others_kib() {
	local kib pid v
	kib=$(awk '/^Shmem:/ { print $2 }' /proc/meminfo)
	for pid in $(ls /proc | grep -x '[0-9]*'); do
		grep -q "^$pid " /run/khib-workload/membufs && continue
		# Kernel threads have no RssAnon; a process may be gone by now.
		v=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		kib=$((kib + ${v:-0}))
	done
	echo "$kib"
}
# The kernel may still be reclaiming while khibernate runs, from the workload and from anything
# else: what khibernate guarantees is that it reserved nothing (the image's estimate: hundreds of
# MiB). So swap use may move with the workload's own, and beyond that by no more than the rest
# of the guest held before.
before=$(used_kib) wl_before=$(sh /khib-test/workload/swapped) others=$(others_kib)
khib_kv swaps_before "$before"
khib_kv others_kib "$others"
refused "add swap or free memory" --swap /dev/vda1
after=$(used_kib) wl_after=$(sh /khib-test/workload/swapped)
khib_kv swaps_after "$after"
d=$(( (after - before) - (wl_after - wl_before) )); [ $d -lt 0 ] && d=$((-d))
[ $d -le $((others + 4096)) ] || fail "swap use went from $before KiB to $after KiB, the workload's own from $wl_before KiB to $wl_after KiB, the rest held $others KiB"
khib-image info /dev/vda1 | grep -q "^state  *none" || fail "the refusal left an image"

mkdir -p /mnt && mount -t ext4 /dev/vda2 /mnt || fail "mount /dev/vda2"
truncate -s 64M /mnt/holes && mkswap /mnt/holes > /dev/null || fail "mkswap /mnt/holes"
swapon /mnt/holes 2>/dev/null && fail "the kernel took a swap file with holes"
refused "holes" --swap /mnt/holes
dd if=/dev/zero of=/tmp/tmpswap bs=1M count=32 2>/dev/null && mkswap /tmp/tmpswap > /dev/null ||
	fail "mkswap /tmp/tmpswap"
refused "no block device of its own underneath: tmpfs" --swap /tmp/tmpswap
dd if=/dev/zero of=/mnt/off bs=1M count=64 2>/dev/null && mkswap /mnt/off > /dev/null ||
	fail "mkswap /mnt/off"
refused "this swap file is not on; turn it on first (swapon /mnt/off)" --swap /mnt/off
swapon /mnt/off || fail "swapon /mnt/off"
khibernate check --swap /mnt/off > /tmp/out 2>&1
grep -q "FAIL  swap.*add swap or free memory" /tmp/out || fail "/mnt/off once on: $(cat /tmp/out)"

run_workload verify || fail "workload verify after the refusals"
khib_result PASS "refused before anything changed; workload intact"
EOS

test_expect_success QEMU 'too small a swap area in use, untrusted swap files: refused, A untouched' '
	vm_mkdisk disk.img 256 640 &&
	vm_boot refuse --disk disk.img --mem 512M --script refuse.sh --workload "$LIVESWAP" \
		--timeout 240 &&
	vm_expect_result refuse PASS &&
	! grep -q "jumping to the helper" refuse.console
'

test_info "swap used before the refusal: $(vm_kv refuse swaps_before) KiB, after: $(vm_kv refuse swaps_after) KiB"
test_done
