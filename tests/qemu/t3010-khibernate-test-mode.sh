#!/bin/bash
test_description='khibernate --test: a checkpoint that comes straight back, read back and discarded

In one boot: the workload runs; khibernate --test jumps to the helper, which writes the image
and jumps back; A reads the whole image back, verifies it, discards it; the workload verifies,
the swap area is plain swap again (swapon works after swapoff), and the status shows no image.
Also the preflight refusals that need no second boot: check passes, a bad option is a usage
error, a missing helper refuses with exit 1 and changes nothing.'
. "$(dirname "$0")/../vm/lib.sh"

WORKLOAD=${WORKLOAD:-$KHIB_TOP/tests/workloads/default}

cat > checkpoint.sh <<'EOF'
. /usr/lib/khibernate/guest.sh
fail() { khib_result FAIL "$*"; }
swapon /dev/vda1 || fail "swapon"
khibernate check --swap /dev/vda1 || fail "khibernate check failed"
khibernate --swap /dev/vda1 --compress zstd 2>/tmp/usage; [ $? = 2 ] || fail "bad option not exit 2"
grep -q "bad value 'zstd'" /tmp/usage || fail "no usage message: $(cat /tmp/usage)"
khibernate --swap /dev/vda1 --kernel /nonexistent 2>/tmp/refused; [ $? = 1 ] || fail "missing helper not exit 1"
grep -q "refused, nothing was changed: helper: /nonexistent" /tmp/refused || fail "no helper message: $(cat /tmp/refused)"
khib-image info /dev/vda1 | grep -q "^state  *none" || fail "refused run left an image"
run_workload start || fail "workload start"
for n in 1 2; do
	khib_mark test-$n
	khibernate --test --swap /dev/vda1 --stats /run/stats-$n.json > /tmp/out 2>&1 || fail "khibernate --test ($n): $(cat /tmp/out)"
	khib_mark back-$n
	cat /tmp/out
	grep -q "image read back and verified, then discarded" /tmp/out || fail "no read-back: $(cat /tmp/out)"
	grep -q '"event": "saved"' /run/stats-$n.json || fail "stats: $(cat /run/stats-$n.json)"
	khib_kv away_s_$n $(sed -n 's/.*"away_s": \([0-9.]*\).*/\1/p' /run/stats-$n.json)
	run_workload verify || fail "workload after --test $n"
done
khib-image info /dev/vda1 | grep -q "^state  *none" || fail "an image is left in the swap area"
khibernate status --swap /dev/vda1 | grep -q "image:     none" || fail "status shows an image"
swapoff /dev/vda1 && swapon /dev/vda1 || fail "swap area unusable after --test"
dd if=/dev/vda2 of=/dev/null bs=1M count=4 2>/dev/null || fail "disk unreadable after the jumps"
khib_result PASS "two checkpoints, read back, discarded, workload intact"
EOF

test_expect_success QEMU 'two --test checkpoints in one boot' '
	vm_mkdisk disk.img 1536 64 &&
	vm_boot ckpt --disk disk.img --script checkpoint.sh --workload "$WORKLOAD" --timeout 400 &&
	vm_expect_result ckpt PASS
'

test_info "away from A (jump, save, jump back): $(vm_kv ckpt away_s_1 2>/dev/null) s, then $(vm_kv ckpt away_s_2 2>/dev/null) s"
test_done
