#!/bin/bash
test_description='khibernate: the helper leaves out the pages A has freed

A process fills 256 MiB with random data and exits: its pages go back to the buddy free lists
still holding that data. The helper reads A'"'"'s vmcoreinfo note and struct pages, finds those
free blocks and does not save them, so the image stays far below the 256 MiB of random data it
would otherwise hold. A cold boot resumes and the workload verifies.'
. "$(dirname "$0")/../vm/lib.sh"

WORKLOAD=${WORKLOAD:-$KHIB_TOP/tests/workloads/default}
ARGS="khibernate.resume=/dev/vda1"
FREED_MIB=256

save_script() {
	cat <<-EOF
	. /usr/lib/khibernate/guest.sh
	swapon /dev/vda1 || khib_result FAIL "swapon"
	if [ ! -d /run/khib-workload ]; then
		run_workload start || khib_result FAIL "workload start failed"
	fi
	khib-membuf ${FREED_MIB}M random 7 /run/freed.status &
	pid=\$!
	i=0
	until grep -q '^ready' /run/freed.status 2>/dev/null; do
		i=\$((i + 1)); [ \$i -lt 600 ] || khib_result FAIL "khib-membuf did not come up"
		sleep 0.1
	done
	kill \$pid; wait \$pid
	khib_kv mem_free_kib \$(sed -n 's/^MemFree: *\([0-9]*\).*/\1/p' /proc/meminfo)
	khib_mark hibernate
	khibernate --swap /dev/vda1 --stats /run/khib-stats.json
	rc=\$?
	khib_mark resumed
	[ \$rc = 0 ] || khib_result FAIL "khibernate exited \$rc"
	grep -q '"event": "resumed"' /run/khib-stats.json ||
		khib_result FAIL "khibernate returned without a resume: \$(cat /run/khib-stats.json)"
	for k in bytes_image pages_total pages_zero memory_in_use; do
		khib_kv \$k \$(sed -n "s/.*\"\$k\": \([0-9]*\).*/\1/p" /run/khib-stats.json)
	done
	khib_kv prepare_s \$(sed -n 's/.*"phase_s": \[\([0-9.]*\),.*/\1/p' /run/khib-stats.json)
	run_workload verify || khib_result FAIL "workload verify failed after resume"
	khib_result PASS "workload verified"
	EOF
}

fresh_script() {
	cat <<-\EOF
	. /usr/lib/khibernate/guest.sh
	khib_result FAIL "booted fresh: no resume"
	EOF
}

# The helper's line: "khib-helper: N free pages skipped (M MiB, B blocks, R ranges) in T ms".
skipped_pages() {
	sed -n 's/.*khib-helper: \([0-9]*\) free pages skipped.*/\1/p' save.console | tr -d '\r'
}

test_expect_success QEMU 'disk with swap' '
	vm_mkdisk disk.img 1536 64 &&
	save_script > save.sh &&
	fresh_script > fresh.sh
'

test_expect_success QEMU 'khibernate saves and powers off, free pages skipped' '
	vm_boot save --disk disk.img --append "$ARGS" --script save.sh --workload "$WORKLOAD" \
		--timeout 400 &&
	vm_expect_result save NONE &&
	grep -q "image committed" save.console &&
	grep "khib-helper: .*free pages" save.console &&
	test "$(skipped_pages)" -ge $((FREED_MIB * 256 * 3 / 4))
'

test_expect_success QEMU 'a cold boot resumes and the workload verifies' '
	vm_boot resume --disk disk.img --append "$ARGS" --script fresh.sh --timeout 400 &&
	vm_expect_result resume PASS
'

test_expect_success QEMU 'the freed random data is not in the image' '
	test "$(vm_kv resume bytes_image)" -lt $((FREED_MIB * 1024 * 1024 * 3 / 4))
'

if [ -f resume.end ]; then
	test_info "$(grep -o "khib-helper: .*free pages.*" save.console | tr -d '\r')"
	test_info "image $(vm_kv resume bytes_image) bytes, $(vm_kv resume pages_total) pages ($(vm_kv resume pages_zero) zero) for $(vm_kv resume memory_in_use) bytes in use; free before: $(vm_kv save mem_free_kib) KiB"
	test_info "helper prepare phase (map, scan, writer setup): $(vm_kv resume prepare_s) s"
	test_info "hibernate (command to power-off): $(vm_elapsed "$(vm_mark_time save hibernate)" "$(cat save.end)") s"
	test_info "resume (QEMU start to khibernate returned): $(vm_elapsed "$(cat resume.start)" "$(vm_mark_time resume resumed)") s"
fi
test_done
