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

. "$KHIB_TOP/tests/vm/cycle.sh"

# Before the hibernation: a process fills FREED_MIB of random data and exits.
free_random_data() {
	cat <<-EOF
	khib-membuf ${FREED_MIB}M random 7 /run/freed.status &
	pid=\$!
	i=0
	until grep -q '^ready' /run/freed.status 2>/dev/null; do
		i=\$((i + 1)); [ \$i -lt 600 ] || khib_result FAIL "khib-membuf did not come up"
		sleep 0.1
	done
	kill \$pid; wait \$pid
	khib_kv mem_free_kib \$(sed -n 's/^MemFree: *\([0-9]*\).*/\1/p' /proc/meminfo)
	EOF
}

# stats_figure KEY: a figure of khibernate's --stats after the resume (its JSON without blanks).
stats_figure() {
	vm_kv resume stats_1 | sed -n "s/.*\"$1\":\[*\([0-9.]*\).*/\1/p"
}

# The helper's line: "khib-helper: N free pages skipped (M MiB, B blocks, R ranges) in T ms".
skipped_pages() {
	sed -n 's/.*khib-helper: \([0-9]*\) free pages skipped.*/\1/p' save.console | tr -d '\r'
}

test_expect_success QEMU 'disk with swap' '
	vm_mkdisk disk.img 1536 64 &&
	cycle_script 1 "" "$(free_random_data)" > save.sh &&
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
	test "$(vm_kv resume image_bytes_1)" -lt $((FREED_MIB * 1024 * 1024 * 3 / 4))
'

if [ -f resume.end ]; then
	test_info "$(grep -o "khib-helper: .*free pages.*" save.console | tr -d '\r')"
	test_info "image $(stats_figure bytes_image) bytes, $(stats_figure pages_total) pages ($(stats_figure pages_zero) zero) for $(stats_figure memory_in_use) bytes in use; free before: $(vm_kv save mem_free_kib) KiB"
	test_info "restore helper prepare phase (image opened, metadata checked, RAM mapped): $(stats_figure phase_s) s"
	test_info "hibernate (command to power-off): $(vm_elapsed "$(vm_mark_time save hibernate-1)" "$(cat save.end)") s"
	test_info "resume (QEMU start to khibernate returned): $(vm_elapsed "$(cat resume.start)" "$(vm_mark_time resume resumed-1)") s"
fi
test_done
