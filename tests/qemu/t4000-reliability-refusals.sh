#!/bin/bash
test_description='refusals before freezing: A keeps running, exit 1, a message that says what to do

With the default workload running and swap on, khibernate is asked to hibernate where it must
not: swap area missing, not a swap area, swap on a loop device (which the helper kernel cannot
open by its number), a swap file on 1 KiB filesystem blocks, a swap file
that is not on, too small (a 16 MiB swap file), helper kernel or initramfs missing, not root
(su nobody), a second khibernate while one holds the lock, khibernate status with a check that
fails (exit 1 as well), a kernel whose config says no
CONFIG_KEXEC_JUMP (simulated: a config bind-mounted over /proc/config.gz; a second kernel build
would cost CI 5 minutes). Each time: exit status 1, the expected message, the swap area
untouched and still on. Then the workload verifies and khibernate check passes. A second boot
has no reserved region (no crashkernel=), a third no low hole (no memmap=64K$0x80000; the
helper would panic without it, "Real mode trampoline was not allocated", with A already
frozen): refused the same way. Each refusal of a hibernation is also in the kernel log (dmesg),
with its reason. Not tested: lockdown (our kernel has no securityfs).'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/reliability/lib.sh"

# refusal_lib: guest shell: expect_refusal NAME REGEX CMD... runs CMD and checks exit status 1,
# the message, and that nothing changed; the boot's verdict counts them.
refusal_lib() {
	cat <<-\EOF
	. /usr/lib/khibernate/guest.sh
	fail() { khib_result FAIL "$*"; }
	refused=0
	expect_refusal() {
		name=$1 regex=$2
		shift 2
		"$@" > /tmp/$name.out 2>&1
		rc=$?
		echo "--- $name: exit $rc"; cat /tmp/$name.out
		[ $rc = 1 ] || fail "$name: exit $rc, not 1: $(tr '\n' ' ' < /tmp/$name.out)"
		grep -qE "$regex" /tmp/$name.out || fail "$name: unexpected message: $(tr '\n' ' ' < /tmp/$name.out)"
		state=$(khib-image info --json /dev/vda1 | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p')
		[ "$state" = none ] || fail "$name: the swap area changed: state '$state'"
		if [ "${SWAP_ON:-1}" = 1 ]; then
			grep -q '^/dev/vda1 ' /proc/swaps || fail "$name: swap went off"
		fi
		refused=$((refused + 1))
	}
	EOF
}

cat > refusals.sh <<EOF
$(refusal_lib)
swapon /dev/vda1 || fail "swapon"
run_workload start || fail "workload start"
expect_refusal swap-missing '/dev/vdz: No such file or directory' khibernate --swap /dev/vdz
expect_refusal not-swap 'not a swap area \(run mkswap\?\)' khibernate --swap /dev/vda2
# A device the helper kernel cannot open by its number: a loop device over a file in A's tmpfs
# (device-mapper and md are not in our kernel; the classifier's other cases are unit-tested).
dd if=/dev/zero of=/tmp/loop.img bs=1M count=16 2>/dev/null && losetup /dev/loop0 /tmp/loop.img &&
	mkswap /dev/loop0 > /dev/null || fail "loop device"
expect_refusal loop-device '/dev/loop0 \(loop0\) is a loop device over a file the helper kernel cannot see' \
	khibernate --swap /dev/loop0
losetup -d /dev/loop0
expect_refusal status-not-swap 'FAIL +swap +/dev/vda2: not a swap area' khibernate status --swap /dev/vda2
# Swap files: vda2 is a small ext4 (1 KiB blocks), then ext2 with 4 KiB blocks.
mkswapfile() { dd if=/dev/zero of=\$1 bs=1M count=16 2>/dev/null && mkswap \$1 >/dev/null || fail "swap file \$1"; }
mkdir -p /mnt && mount /dev/vda2 /mnt || fail "mount /dev/vda2"
mkswapfile /mnt/1k.swap
expect_refusal swap-file-1k "blocks are 1024 bytes, smaller than a page: use a swap partition, or" \\
	khibernate --swap /mnt/1k.swap
umount /mnt && mke2fs -q -b 4096 /dev/vda2 && mount /dev/vda2 /mnt || fail "ext2 with 4 KiB blocks"
mkswapfile /mnt/small.swap
expect_refusal swap-file-off 'this swap file is not on; turn it on first \(swapon /mnt/small.swap\)' \\
	khibernate --swap /mnt/small.swap
swapon /mnt/small.swap || fail "swapon /mnt/small.swap"
expect_refusal swap-too-small 'MiB free, the image may need .* add swap or free memory' \\
	khibernate --swap /mnt/small.swap
swapoff /mnt/small.swap && umount /mnt
expect_refusal helper-missing 'refused, nothing was changed: helper: /nonexistent: No such file.*set helper_kernel' \\
	khibernate --swap /dev/vda1 --kernel /nonexistent
expect_refusal initrd-missing 'refused, nothing was changed: helper: /nonexistent: No such file' \\
	khibernate --swap /dev/vda1 --initrd /nonexistent
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> /etc/passwd
expect_refusal not-root 'khibernate must run as root' \\
	su -s /bin/sh nobody -c 'khibernate --swap /dev/vda1'

# A second khibernate: the first holds the lock while it waits (in open) for its passphrase
# on a FIFO; busybox has no flock(1).
mkfifo /tmp/pass
khibernate --swap /dev/vda1 --test --passphrase-file /tmp/pass > /tmp/first.out 2>&1 &
first=\$!
i=0
until grep -q FLOCK /proc/locks; do
	i=\$((i + 1)); [ \$i -lt 200 ] || fail "the first khibernate never took the lock"
	sleep 0.05
done
expect_refusal second 'another khibernate is running \(/run/khibernate.lock is locked\)' \\
	khibernate --swap /dev/vda1
kill \$first; wait \$first

# Simulated kernels: what khibernate reads, bind-mounted over.
echo 'CONFIG_KEXEC=y' | gzip > /tmp/config.gz
mount --bind /tmp/config.gz /proc/config.gz || fail "bind mount over /proc/config.gz"
expect_refusal no-kexec-jump 'built without CONFIG_KEXEC_JUMP; build it with' khibernate --swap /dev/vda1
umount /proc/config.gz

# The kernel log keeps the reasons (journalctl -b on a real system): one record per refusal
# of the preflight, at error priority.
dmesg -r | sed 's/^\(<[0-9]*>\)\[ *[0-9.]*\] /\1/' > /tmp/dmesg
grep -q '^<11>khibernate: refused, nothing was changed: swap: /dev/vdz: No such file' /tmp/dmesg ||
	fail "no refusal in the kernel log: \$(grep khibernate /tmp/dmesg | tail -3)"
grep -q '^<11>khibernate: refused, nothing was changed: helper: /nonexistent' /tmp/dmesg ||
	fail "the helper refusal is not in the kernel log"
grep -q '^<11>khibernate: another khibernate is running' /tmp/dmesg ||
	fail "the lock refusal is not in the kernel log"
run_workload verify || fail "workload changed by the refusals"
khibernate check --swap /dev/vda1 > /tmp/check 2>&1 || fail "check after the refusals: \$(cat /tmp/check)"
khib_result PASS "\$refused refusals, each exit 1 with its message; A ran on, nothing changed"
EOF

region_script() {  # region_script NAME REGEX
	cat <<-EOF
	$(refusal_lib)
	SWAP_ON=0
	expect_refusal $1 '$2' khibernate --swap /dev/vda1
	khib_result PASS "\$refused refusals"
	EOF
}

test_expect_success QEMU 'twelve refusals in a running A: exit 1, message, workload and swap untouched' '
	vm_mkdisk disk.img 1536 64 &&
	vm_boot refuse --disk disk.img --script refusals.sh --workload "$REL_WORKLOAD" --timeout 300 &&
	vm_expect_result refuse PASS && grep -q "^RESULT PASS 12 refusals" refuse.raw
'

test_expect_success QEMU 'no reserved region (no crashkernel=): refused' '
	region_script no-region "no memory is reserved for the helper: run .khibernate setup. \\(it adds crashkernel=128M@0x10000000" > region.sh &&
	vm_boot noregion --disk disk.img --script region.sh --region-args "" --timeout 300 &&
	vm_expect_result noregion PASS
'

test_expect_success QEMU 'no low hole (no memmap=): refused' '
	region_script no-hole "no low memory is reserved for the helper.*it adds memmap=64K.0x80000" > hole.sh &&
	vm_boot nohole --disk disk.img --script hole.sh --region-args "crashkernel=128M@0x10000000" \
		--timeout 300 &&
	vm_expect_result nohole PASS
'
test_done
