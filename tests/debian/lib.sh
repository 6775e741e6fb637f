# shellcheck shell=bash
# Host side of the Debian guest tests (sourced by tests/qemu/t5*-debian-*.sh after
# tests/vm/lib.sh). The guest (tests/debian/build.sh) boots from its own disk through GRUB;
# khib-test.service runs the boot's script, which the harness hands over as a tar on a second
# disk (serial "khibtest"). The script reports on ttyS1 as in the lab guest
# (tests/guest/guest.sh: khib_kv, khib_mark, khib_result) and may use tests/debian/guest/debian.sh.
#
#   DEBIAN (prerequisite)      the Debian guest can be built here (root, mmdebstrap, QEMU)
#   deb_base [PACKAGES]        build or reuse the provisioned disk; sets DEB_BASE
#   deb_disk NAME.qcow2        a test's own disk: a qcow2 overlay of DEB_BASE
#   deb_boot NAME --disk D [--script F] [--workload DIR] [vm_boot options]
#                              one boot from D; F (and DIR, as /khib-test/workload) on the
#                              script disk; without --script a boot that must not reach
#                              the test runner (a resume) gets deb_fresh_script
#   deb_lines NAME TAG         the lines the guest sent with deb_send TAG

# Swap partition offset in the disk (tests/debian/build.sh: root 2048 MiB from 1 MiB).
# shellcheck disable=SC2034  # for the tests that damage images (khib-imgtool.py --base)
DEB_SWAP_BASE=$(( (2048 + 2048 * 2048) * 512 ))

prereq_DEBIAN() {
	[ "$(id -u)" = 0 ] && command -v mmdebstrap >/dev/null && command -v qemu-img >/dev/null &&
		test_have_prereq QEMU
}

deb_lines() {
	tr -d '\r' < "$1.raw" | sed -n "s/^$2 //p"
}

deb_base() {
	DEB_BASE=$("$KHIB_TOP/tests/debian/build.sh" disk "$KHIB_BUILD/debian" "$@")
}

deb_disk() {
	qemu-img create -q -f qcow2 -b "$DEB_BASE" -F raw "$1"
}

# deb_script_head: how a script starts: the guest's libraries, then the boot complete (deb_up).
deb_script_head() {
	printf '%s\n' ". /usr/local/lib/khib-test/guest.sh" ". /usr/local/lib/khib-test/debian.sh" deb_up
}

# deb_fresh_script: the script for a boot that should have resumed: reaching it means the
# system booted afresh.
deb_fresh_script() {
	cat <<-\EOF
	. /usr/local/lib/khib-test/guest.sh
	[ -d /khib-test/workload ] && run_workload verify &&
		khib_result FAIL "the workload verifies on a fresh boot"
	khib_result FAIL "booted fresh: no resume"
	EOF
}

# deb_script_disk OUT SCRIPT [WORKLOAD]: the script disk, a tar padded to a fixed 16 MiB so
# that every boot of a test sees a disk of the same size (a resumed system keeps the disk
# it had when it hibernated).
deb_script_disk() {
	local out=$1 script=$2 workload=${3:-} dir
	dir=$(mktemp -d) || return
	cp "$script" "$dir/run"
	[ -z "$workload" ] || cp -r "$workload" "$dir/workload"
	tar -C "$dir" --owner=0 --group=0 -cf "$out" . && rm -rf "$dir" || return
	[ "$(stat -c %s "$out")" -le $((16 << 20)) ] ||
		{ echo "deb_script_disk: $script and its workload exceed 16 MiB" >&2; return 1; }
	truncate -s 16M "$out"
}

deb_boot() {
	local name=$1 script="" workload="" args=()
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--script) script=$2; shift 2 ;;
		--workload) workload=$2; shift 2 ;;
		*) args+=("$1"); shift ;;
		esac
	done
	if [ -z "$script" ]; then
		deb_fresh_script > "$name.sh"
		script=$name.sh
	fi
	deb_script_disk "$name.tar" "$script" "$workload" || return
	vm_boot "$name" --from-disk --script-disk "$name.tar" "${args[@]}"
}

# deb_cycle_script N: the script of a whole test in the guest: check that hibernation is
# offered (khibernate check, logind's CanHibernate, swap; suspend-then-hibernate and
# hybrid-sleep are not: systemd/sleep.conf.d), start the workload and a service,
# then N times hibernate (cycle 2 through logind's D-Bus Hibernate() as a desktop does, the
# others with systemctl hibernate) and, once the system runs again, check that it resumed:
# same boot id, workload verified, `is-system-running` says running, the service kept its
# PID, the journal holds each hibernation and resume, the sleep hooks ran, swap is usable.
# Sends CMDLINE, CHECK, JOURNAL and STATUS lines (deb_lines); PASS after the last cycle.
deb_cycle_script() {
	deb_script_head
	cat <<-EOF
	deb_send CMDLINE /proc/cmdline
	khibernate check > /run/khib-test/check 2>&1; rc=\$?
	deb_send CHECK /run/khib-test/check
	[ \$rc = 0 ] || fail "khibernate check failed"
	can=\$(busctl call org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager CanHibernate)
	khib_kv can_hibernate "\$can"
	[ "\$can" = 's "yes"' ] || fail "logind's CanHibernate says \$can"
	for verb in SuspendThenHibernate HybridSleep; do
		can=\$(busctl call org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager Can\$verb)
		[ "\$can" = 's "na"' ] || fail "logind's Can\$verb says \$can, not na (sleep.conf.d/khibernate.conf)"
	done
	deb_swap_usable || fail "swap is not usable before hibernating"
	deb_start_workload
	systemd-run --unit=khib-probe sleep infinity || fail "systemd-run failed"
	probe=\$(systemctl show -P MainPID khib-probe.service)
	boot_id=\$(cat /proc/sys/kernel/random/boot_id)
	n=0
	while [ \$n -lt $1 ]; do
		n=\$((n + 1))
		if [ \$n = 2 ]; then
			deb_hibernate \$n busctl call org.freedesktop.login1 /org/freedesktop/login1 \\
				org.freedesktop.login1.Manager Hibernate b false
		else
			deb_hibernate \$n
		fi
		[ "\$(cat /proc/sys/kernel/random/boot_id)" = "\$boot_id" ] ||
			fail "cycle \$n: a new boot id: this is a fresh boot, not a resume"
		run_workload verify || fail "cycle \$n: the workload does not verify"
		state=\$(systemctl is-system-running --wait)
		[ "\$state" = running ] || fail "cycle \$n: system \$state: \$(systemctl --failed --no-legend | tr -s ' \\n' ' ')"
		[ "\$(systemctl show -P MainPID khib-probe.service)" = "\$probe" ] && kill -0 "\$probe" ||
			fail "cycle \$n: khib-probe.service lost its PID \$probe"
		[ "\$(journalctl -b -u systemd-hibernate.service -o cat | grep -c '^khibernate: resumed')" = \$n ] ||
			fail "cycle \$n: the journal does not hold khibernate's resume"
		[ "\$(journalctl -b -o cat | grep -c 'The system will hibernate now')" = \$n ] ||
			fail "cycle \$n: the journal does not hold logind's hibernation"
		[ "\$(grep -c '^post hibernate hibernate' /run/khib-test/sleep-hook.log)" = \$n ] ||
			fail "cycle \$n: the sleep hooks did not run: \$(cat /run/khib-test/sleep-hook.log)"
		deb_swap_usable || fail "cycle \$n: swap is not usable after the resume"
	done
	journalctl -b -o short-monotonic --no-hostname |
		grep -E 'hibernat|khib|sleep|Sleep|PM: |kexec|resum' | grep -v khib-test > /run/khib-test/journal
	deb_send JOURNAL /run/khib-test/journal
	systemctl status --no-pager systemd-hibernate.service khib-probe.service > /run/khib-test/status 2>&1
	deb_send STATUS /run/khib-test/status
	khib_result PASS "\$n cycles: resumed each time, workload, services and swap intact"
	EOF
}
