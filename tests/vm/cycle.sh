# Guest scripts for hibernate/resume cycles (sourced by tests/qemu/t3000-* and the reliability
# suite, tests/reliability/). Each function prints a script for vm_boot --script.

# cycle_script N [KHIBERNATE_ARGS [BEFORE]]: start the workload (unless a resumed A has it), run
# the shell commands BEFORE, then N times: khibernate, and once A is back, check it resumed
# (stats), verify the workload and the swap.
# Marks hibernate-N and resumed-N; KVs image_bytes_N, memory_in_use_N and stats_N (khibernate's
# --stats JSON without blanks); PASS after the last.
cycle_script() {
	cat <<-EOF
	. /usr/lib/khibernate/guest.sh
	swapon /dev/vda1 || khib_result FAIL "swapon"
	if [ ! -d /run/khib-workload ]; then
		run_workload start || khib_result FAIL "workload start failed"
	fi
	${3:-}
	n=0
	while [ \$n -lt ${1:-1} ]; do
		n=\$((n + 1))
		khib_mark hibernate-\$n
		khibernate --swap /dev/vda1 --stats /run/khib-stats-\$n.json ${2:-}
		rc=\$?
		khib_mark resumed-\$n
		[ \$rc = 0 ] || khib_result FAIL "khibernate exited \$rc in cycle \$n"
		grep -q '"event": "resumed"' /run/khib-stats-\$n.json ||
			khib_result FAIL "cycle \$n: khibernate returned without a resume: \$(cat /run/khib-stats-\$n.json)"
		khib_kv image_bytes_\$n \$(sed -n 's/.*"bytes_image": \([0-9]*\).*/\1/p' /run/khib-stats-\$n.json)
		khib_kv memory_in_use_\$n \$(sed -n 's/.*"memory_in_use": \([0-9]*\).*/\1/p' /run/khib-stats-\$n.json)
		khib_kv stats_\$n "\$(tr -d ' \\n' < /run/khib-stats-\$n.json)"
		run_workload verify || khib_result FAIL "workload verify failed after resume \$n"
		grep -q '^/dev/vda1 ' /proc/swaps || khib_result FAIL "swap is off after resume \$n"
		# The kernel log tells each hibernation and resume (journalctl -b on a real system).
		[ "\$(dmesg | grep -c 'khibernate: resumed: ')" = \$n ] &&
			[ "\$(dmesg | grep -c 'khibernate: hibernating: ')" -ge \$n ] ||
			khib_result FAIL "cycle \$n: the kernel log misses it: \$(dmesg | grep khibernate: | tail -3)"
	done
	khib_result PASS "\$n cycles, workload verified after each"
	EOF
}

# fresh_script: for the boots that must resume: if the boot gets as far as this, it did not.
# When the boot has the workload, its verify must see that the state is gone: a verify that
# passes here could not tell a resume from a fresh boot.
fresh_script() {
	cat <<-\EOF
	. /usr/lib/khibernate/guest.sh
	[ -d /khib-test/workload ] && run_workload verify &&
		khib_result FAIL "the workload verifies on a fresh boot"
	khib_result FAIL "booted fresh: no resume"
	EOF
}
