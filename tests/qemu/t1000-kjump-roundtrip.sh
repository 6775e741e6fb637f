#!/bin/bash
test_description='kjump: A loads helper B into its region, jumps to it and back, ten times

In one boot of A: the default workload runs; A finds a page of its workload buffer through
/proc/PID/pagemap and passes its physical address and first words to B in the handoff payload;
kjump load + exec. B checks that its memory map has RAM only in the region and the low hole,
reads the page through /dev/mem and compares, then jumps back; ten round trips. A verifies the
workload, the serial console and the virtio disk afterwards. Timings of each leg are reported.'
. "$(dirname "$0")/../vm/lib.sh"

WORKLOAD=${WORKLOAD:-$KHIB_TOP/tests/workloads/default}
REGION_START=0x10000000 REGION_END=0x17ffffff HOLE_START=0x80000 HOLE_END=0x8ffff
ROUNDS=10

# B's test script: runs at B's first boot, then once per re-entry (kjump back returns).
helper_script() {
	cat <<EOF
. /usr/lib/khibernate/guest.sh
fail() { khib_result FAIL "B: \$*"; }
khib_mark b-up
# Only the region and the hole may be RAM in B.
inside() { [ \$((0x\$1)) -ge \$((\$2)) ] && [ \$((0x\$3)) -le \$((\$4)) ]; }
grep "System RAM" /proc/iomem | while IFS="- " read -r s e rest; do
	inside \$s $REGION_START \$e $REGION_END || inside \$s $HOLE_START \$e $HOLE_END ||
		{ echo "RAM outside the region: \$s-\$e"; exit 1; }
done || fail "B has RAM outside its region: \$(grep "System RAM" /proc/iomem)"
if [ -d /sys/firmware/memmap ]; then
	for d in /sys/firmware/memmap/*; do
		[ "\$(cat \$d/type)" = "System RAM" ] || continue
		s=\$(cat \$d/start) e=\$(cat \$d/end)
		inside \${s#0x} $REGION_START \${e#0x} $REGION_END ||
			inside \${s#0x} $HOLE_START \${e#0x} $HOLE_END ||
			fail "firmware memmap gives B RAM at \$s-\$e"
	done
fi
khib_kv b_ram_confined 1
# A's marker page, through mmap of /dev/mem.
kjump payload > /tmp/payload || fail "kjump payload"
set -- \$(cat /tmp/payload)
[ "\$1" = marker ] || fail "payload is not the marker: \$*"
phys=\$2; shift 2
i=0
for w in "\$@"; do
	got=\$(devmem \$((phys + 8 * i)) 64) || fail "devmem \$phys"
	# As strings: no arithmetic on words that may have the sign bit set.
	got=\$(echo "\${got#0x}" | tr A-F a-f)
	[ "\$got" = "\$w" ] || fail "A's page at \$phys word \$i: \$got, A had \$w"
	i=\$((i + 1))
done
khib_kv b_marker_words \$i
n=0
while :; do
	n=\$((n + 1))
	khib_mark b-back-\$n
	kjump back || fail "kjump back \$n"
	khib_mark b-reentered-\$n
done
EOF
}

# A's script: the workload, the marker, B's initramfs, load, ten round trips, checks.
a_script() {
	cat <<EOF
. /usr/lib/khibernate/guest.sh
fail() { khib_result FAIL "A: \$*"; }
run_workload start || fail "workload start"
# A page of khib-membuf's buffer (its largest mapping), 1 MiB in: virtual, then physical.
pid=\$(pidof khib-membuf) || fail "no khib-membuf"
best=0
while read -r range rest; do
	s=\$((0x\${range%-*})) e=\$((0x\${range#*-}))
	[ \$((e - s)) -gt \$best ] && best=\$((e - s)) va=\$((s + (1 << 20)))
done < /proc/\$pid/maps
pm=\$(dd if=/proc/\$pid/pagemap bs=8 skip=\$((va / 4096)) count=1 2>/dev/null | od -An -tx8 | tr -d " ")
[ \$(( (0x\$pm >> 63) & 1 )) = 1 ] || fail "marker page not present (pagemap \$pm)"
phys=\$(( (0x\$pm & 0x7fffffffffffff) * 4096 ))
# od -v: without it, repeated words (a zero page) print as '*'.
words=\$(dd if=/proc/\$pid/mem bs=4096 skip=\$((va / 4096)) count=1 2>/dev/null | od -v -An -tx8 -N64)
echo "marker \$phys \$words" > /tmp/payload
khib_kv marker_phys \$phys
# B's initramfs: the helper image plus this test's script for B.
cat > /tmp/b-run <<'BEOF'
$(helper_script)
BEOF
khib_test_helper /tmp/b.img /tmp/b-run
kjump info || fail "kjump info says this kernel cannot jump"
kjump load -v --kernel /boot/khib/bzImage --initrd /tmp/b.img --cmdline "console=ttyS0" \
	--payload /tmp/payload || fail "kjump load"
i=1
while [ \$i -le $ROUNDS ]; do
	khib_mark a-jump-\$i
	kjump exec || fail "kjump exec \$i"
	khib_mark a-back-\$i
	echo "A: back from B (\$i)"
	i=\$((i + 1))
done
run_workload verify || fail "workload state lost across the jumps"
# The virtio disk still works: write a pattern, drop caches, read it back.
dd if=/dev/urandom of=/tmp/pattern bs=4096 count=16 2>/dev/null
dd if=/tmp/pattern of=/dev/vda2 bs=4096 count=16 conv=fsync 2>/dev/null || fail "disk write"
echo 3 > /proc/sys/vm/drop_caches
dd if=/dev/vda2 bs=4096 count=16 2>/dev/null | cmp - /tmp/pattern || fail "disk read back"
khib_result PASS "$ROUNDS round trips, workload, console and disk intact"
EOF
}

leg() { # leg NAME FROM_MARK TO_MARK: seconds between two marks of one boot, or "n/a"
	local a b
	a=$(vm_mark_time "$1" "$2") b=$(vm_mark_time "$1" "$3")
	if [ -n "$a" ] && [ -n "$b" ]; then vm_elapsed "$a" "$b"; else echo n/a; fi
}

test_expect_success QEMU 'make a disk' '
	vm_mkdisk disk.img 64 64
'

test_expect_success QEMU "A -> B -> A, $ROUNDS round trips: B confined, marker read, A intact" '
	a_script > a.sh &&
	vm_boot roundtrip --disk disk.img --script a.sh --workload "$WORKLOAD" --timeout 900 &&
	vm_expect_result roundtrip PASS &&
	test "$(vm_kv roundtrip b_ram_confined)" = 1 &&
	test "$(vm_kv roundtrip b_marker_words)" = 8 &&
	test -n "$(vm_mark_time roundtrip b-reentered-$((ROUNDS - 1)))"
'

if [ -s roundtrip.results ]; then
	test_info "A->B first (B boots): $(leg roundtrip a-jump-1 b-up)s; B->A: $(leg roundtrip b-back-1 a-back-1)s"
	test_info "A->B again (re-entry): $(leg roundtrip a-jump-2 b-reentered-1)s; B->A: $(leg roundtrip b-back-2 a-back-2)s"
	test_info "last round: A->B $(leg roundtrip a-jump-$ROUNDS b-reentered-$((ROUNDS - 1)))s, B->A $(leg roundtrip b-back-$ROUNDS a-back-$ROUNDS)s ($(vm_accel))"
fi
test_done
