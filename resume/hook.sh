#!/bin/sh
# khibernate's initramfs hook: run early, before any filesystem of the system is mounted
# read-write. If the command line names a swap area (khibernate.resume=), khib-resume resumes
# the image in it and does not return; otherwise the boot goes on. The same script serves our
# test guest and the initramfs-tools and dracut integrations in resume/.
grep -q 'khibernate\.resume=' /proc/cmdline || exit 0
command -v khib-resume >/dev/null || { echo "khibernate: khib-resume is missing from the initramfs" >&2; exit 0; }

# Options for the resume (e.g. --key-file) may be kept in /etc/khibernate/resume-args.
khib-resume $(cat /etc/khibernate/resume-args 2>/dev/null)
case $? in
0|1) ;;  # no image, or refused and discarded (it said why): boot on
3)
	echo "khibernate: the encrypted image was kept; booting on would make it stale." >&2
	echo "khibernate: powering off: boot again with the right key, or discard the image." >&2
	sync
	poweroff -f
	;;
*)
	echo "khibernate: could not look for an image; booting on" >&2
	;;
esac
exit 0
