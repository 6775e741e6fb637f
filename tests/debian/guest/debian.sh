# shellcheck shell=sh disable=SC3043  # local: dash has it
# Shell library for test scripts in the Debian guest (/usr/local/lib/khib-test/debian.sh),
# sourced after guest.sh. The scripts run as root from khib-test.service once
# multi-user.target is reached; what they report goes to the host on ttyS1.

# fail MESSAGE: this boot's verdict is FAIL (khib_result: the guest powers off).
fail() {
	khib_result FAIL "$*"
}

# deb_up: the boot is complete (no job left); report how long it took (KV boot_s, from the
# kernel's start to multi-user.target, systemd-analyze's "Startup finished" line) and MARK up.
deb_up() {
	systemctl is-system-running --wait >/dev/null
	khib_kv boot_s "$(systemd-analyze time 2>/dev/null | sed -n 's/.*= *\([0-9.]*\)s *$/\1/p; s/.*= *\([0-9]*\)min \([0-9.]*\)s *$/\1 \2/p' |
		awk 'NF == 2 { print $1 * 60 + $2; next } { print }')"
	khib_kv boot_id "$(cat /proc/sys/kernel/random/boot_id)"
	khib_mark up
}

# deb_send TAG [FILE]: FILE (or stdin) to the host, each line as "TAG line" (lib.sh: deb_lines).
deb_send() {
	local tag=$1
	shift
	cat "$@" | while IFS= read -r line; do
		printf '%s %s\n' "$tag" "$line"
	done > "$KHIB_RESULTS"
}

# deb_sleep_hook: a system-sleep hook that marks "sleep-pre" and "sleep-post" on ttyS1 and
# keeps its arguments and SYSTEMD_SLEEP_ACTION in /run/khib-test/sleep-hook.log: it shows the
# hooks ran, and the host times the hibernation from systemd's side with it.
deb_sleep_hook() {
	mkdir -p /usr/lib/systemd/system-sleep
	cat > /usr/lib/systemd/system-sleep/khib-test <<-\EOF
	#!/bin/sh
	echo "MARK sleep-$1" > /dev/ttyS1
	echo "$1 $2 $SYSTEMD_SLEEP_ACTION" >> /run/khib-test/sleep-hook.log
	EOF
	chmod 755 /usr/lib/systemd/system-sleep/khib-test
}

# deb_sleep_posts: how many times the sleep hooks ran with "post".
deb_sleep_posts() {
	cat /run/khib-test/sleep-hook.log 2>/dev/null | grep -c '^post'
}

# deb_start_workload: the sleep hook (deb_sleep_hook), then the workload's start.
deb_start_workload() {
	deb_sleep_hook
	run_workload start || fail "workload start failed"
}

# deb_hibernate N [COMMAND...]: MARK hibernate-N, hibernate with COMMAND (default: systemctl
# hibernate), and return once the system runs again and systemd-hibernate.service has ended
# (MARK resumed-N); fail if it did not succeed. Needs deb_sleep_hook: the "post" hook is the
# event waited for (a loop of sleep only, not of systemctl, so as not to load the guest while it
# hibernates).
deb_hibernate() {
	local n=$1 posts
	shift
	[ $# -gt 0 ] || set -- systemctl hibernate
	posts=$(deb_sleep_posts)
	khib_mark hibernate-$n
	"$@" || fail "cycle $n: '$*' failed"
	until [ "$(deb_sleep_posts)" -gt "$posts" ]; do
		sleep 0.5
	done
	while [ "$(systemctl is-active systemd-hibernate.service)" = activating ]; do
		sleep 0.2
	done
	khib_mark resumed-$n
	[ "$(systemctl show -P Result systemd-hibernate.service)" = success ] ||
		fail "cycle $n: systemd-hibernate.service: $(systemctl show -P Result systemd-hibernate.service)"
}

# deb_swap_usable: the swap partition is on, and its header takes a swapoff and a swapon.
deb_swap_usable() {
	grep -q '^/dev/vda2 ' /proc/swaps || { echo "swap is off" >&2; return 1; }
	swapoff /dev/vda2 && swapon /dev/vda2 && grep -q '^/dev/vda2 ' /proc/swaps
}
