# Shell library for scripts in the test guests (kernel A and helper B).
#
# Results go to the second serial port (ttyS1), which the host harness reads line by line and
# timestamps; the console (ttyS0) is only a log. A script ends its boot with khib_result.

KHIB_RESULTS=/dev/ttyS1

# khib_kv KEY VALUE: report a measurement or fact to the host.
khib_kv() {
	echo "KV $1 $2" > $KHIB_RESULTS
}

# khib_mark NAME: the host records when this line arrived (host clock, for timings).
khib_mark() {
	echo "MARK $1" > $KHIB_RESULTS
}

# khib_result PASS|FAIL MESSAGE: the verdict of this boot; the guest powers off after it.
khib_result() {
	echo "RESULT $1 ${2:-}" > $KHIB_RESULTS
	sync
	poweroff -f
}

# wait_for_dev /dev/NAME: virtio disks may show up after init starts.
wait_for_dev() {
	local i=0
	while [ ! -b "$1" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "guest: $1 did not appear" >&2; return 1; }
		sleep 0.05
	done
}

# run_workload start|verify: the workload the harness put in /khib-test/workload.
run_workload() {
	PATH=/khib-test/workload:$PATH sh "/khib-test/workload/$1"
}

# khib_test_helper OUT SCRIPT: an initramfs for helper kernel B that runs SCRIPT (in B, with
# busybox and this library): the product helper initramfs, the test overlay, SCRIPT as
# /khib-test/run.
khib_test_helper() {
	mkdir -p /tmp/khib-bover/khib-test
	cp "$2" /tmp/khib-bover/khib-test/run
	(cd /tmp/khib-bover && find . | cpio -o -H newc 2>/dev/null | gzip) > /tmp/khib-bover.cpio
	cat /boot/khib/helper.img /boot/khib/helper-test.img /tmp/khib-bover.cpio > "$1"
	rm -rf /tmp/khib-bover /tmp/khib-bover.cpio
}
