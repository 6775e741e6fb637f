#!/bin/bash
test_description='kjump: clear errors that leave A running, and a plain kexec from a saved layout

In one boot of A: each refused command exits with its documented status and says why
(truncated or foreign kernel, region too small, region outside RAM, no re-entry address, not in
a helper, nothing loaded, usage errors), and nothing stays loaded. Then the restore path: A saves
its layout (kjump layout -o), loads B from it with a plain kexec (--no-preserve-context) and
jumps; B must see a zero re-entry address, refuse to jump back, and read the payload.'
. "$(dirname "$0")/../vm/lib.sh"

helper_script() {
	cat <<'EOF'
. /usr/lib/khibernate/guest.sh
grep -q "kjump.entry=0x0000000000000000" /proc/cmdline ||
	khib_result FAIL "B: plain kexec, yet a re-entry address: $(cat /proc/cmdline)"
kjump back > /tmp/out 2>&1
[ $? = 1 ] && grep -q "no re-entry address" /tmp/out ||
	khib_result FAIL "B: kjump back without an entry: $(cat /tmp/out)"
[ "$(kjump payload)" = "plain kexec payload" ] || khib_result FAIL "B: payload differs"
khib_result PASS "plain kexec into B from a saved layout"
EOF
}

a_script() {
	cat <<EOF
. /usr/lib/khibernate/guest.sh
fail() { khib_result FAIL "A: \$*"; }
# expect STATUS PATTERN COMMAND...: COMMAND exits with STATUS and prints PATTERN.
expect() {
	want=\$1 pat=\$2
	shift 2
	"\$@" > /tmp/out 2>&1
	rc=\$?
	[ \$rc = \$want ] || fail "\$* exited \$rc, not \$want: \$(cat /tmp/out)"
	grep -q "\$pat" /tmp/out || fail "\$*: no \"\$pat\" in: \$(cat /tmp/out)"
	cat /tmp/out
}
K=/boot/khib/bzImage I=/boot/khib/helper.img
head -c 100000 \$K > /tmp/truncated
expect 1 "truncated or corrupt bzImage" kjump load --kernel /tmp/truncated
expect 1 "not an x86 bzImage" kjump load --kernel /bin/busybox
expect 1 "/nonexistent: No such file" kjump load --kernel /nonexistent
expect 9 "too small: B needs" kjump load --kernel \$K --initrd \$I --region 0x10000000+16M
expect 9 "cannot confine the helper" kjump load --kernel \$K --region 0xfffc0000+256K
expect 9 "cannot confine the helper" kjump load --kernel \$K --hole 0x1000-0x10fff
expect 2 "expected auto" kjump load --kernel \$K --region 16M
expect 1 "no re-entry address" kjump back
expect 1 "not a kjump helper" kjump payload
expect 1 "nothing is loaded" kjump exec
expect 2 "unknown command" kjump frobnicate
expect 2 "usage: kjump load" kjump load --initrd \$I
expect 0 "Usage: kjump COMMAND" kjump --help
expect 0 "loaded:     no" kjump info
khib_kv a_errors_ok 1
# The restore path: B loaded from a saved layout with a plain kexec.
kjump layout -o /tmp/layout || fail "kjump layout -o"
expect 0 "region: 0x10000000-0x17ffffff" kjump layout --layout /tmp/layout
cat > /tmp/b-run <<'BEOF'
$(helper_script)
BEOF
khib_test_helper /tmp/b.img /tmp/b-run
echo -n "plain kexec payload" > /tmp/payload
kjump load --layout /tmp/layout --no-preserve-context --kernel \$K --initrd /tmp/b.img \
	--cmdline console=ttyS0 --payload /tmp/payload || fail "kjump load --no-preserve-context"
kjump exec
fail "kjump exec returned from a plain kexec (\$?)"
EOF
}

test_expect_success QEMU 'refused commands say why and leave A running; plain kexec from a layout' '
	a_script > a.sh &&
	vm_boot errors --script a.sh --timeout 600 &&
	test "$(vm_kv errors a_errors_ok)" = 1 &&
	vm_expect_result errors PASS
'

test_done
