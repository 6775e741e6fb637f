#!/bin/bash
test_description='live swap: hibernate into a swap file on ext4 with 100+ MiB of the workload in it

The first boot mounts /dev/vda2 (ext4), makes a 1 GiB swap file with dd and mkswap, turns it
on, learns the resume line from `khibernate status` (as khibernate setup writes it:
khibernate.resume=UUID=<the swap file'"'"'s UUID> khibernate.resume_offset=N, N = the page of the
file header on the disk) and reports it, starts the live-swap workload (at least 100 MiB of it
goes to the file) and hibernates. The next boot gets that line on its command line (khib-resume
finds the UUID in the swap header at that offset of /dev/vda2), resumes, checks every byte of
the workload, /proc/swaps (the file on, its use as before) and runs khibernate again.'
. "$(dirname "$0")/../vm/lib.sh"
. "$KHIB_TOP/tests/workloads/liveswap/host.bash"

MEM=512M

cat > save.sh <<'EOS'
. /usr/lib/khibernate/guest.sh
fail() { khib_result FAIL "$*"; }
mkdir -p /mnt && mount -t ext4 /dev/vda2 /mnt || fail "mount /dev/vda2"
dd if=/dev/zero of=/mnt/swapfile bs=1M count=1024 2>/dev/null || fail "dd"
chmod 600 /mnt/swapfile && mkswap /mnt/swapfile > /dev/null || fail "mkswap"
swapon /mnt/swapfile || fail "swapon /mnt/swapfile"
khibernate status --swap /mnt/swapfile > /run/status.txt || fail "khibernate status: $(cat /run/status.txt)"
cat /run/status.txt
khib_kv resume_dev "$(sed -n 's/.*khibernate\.resume=\([^ ]*\).*/\1/p' /run/status.txt)"
khib_kv resume_offset "$(sed -n 's/.*khibernate\.resume_offset=\([0-9]*\).*/\1/p' /run/status.txt)"
run_workload start || fail "workload start"
sh /khib-test/workload/cycle /mnt/swapfile 100
EOS
fresh_script > fresh.sh

test_expect_success QEMU 'khibernate saves into the swap file, powers off' '
	liveswap_save 64 1280 --mem $MEM --append no_console_suspend --timeout 300 &&
	vm_kv save resume_dev | grep -qx "UUID=[0-9a-f-]\{36\}" &&
	test "$(vm_kv save resume_offset)" -gt 0
'

test_expect_success QEMU 'a cold boot with resume_offset resumes; every byte verified, swap as before' '
	vm_boot resume --disk disk.img --mem $MEM --script fresh.sh --timeout 240 \
		--append "no_console_suspend khibernate.resume=$(vm_kv save resume_dev) khibernate.resume_offset=$(vm_kv save resume_offset)" &&
	vm_expect_result resume PASS
'

test_info "resume line learnt in the first boot: khibernate.resume=$(vm_kv save resume_dev) khibernate.resume_offset=$(vm_kv save resume_offset)"
liveswap_report save resume
test_done
