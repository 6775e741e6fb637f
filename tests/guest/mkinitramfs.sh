#!/bin/bash
# Build a test guest's initramfs (gzip'd newc cpio), reproducibly: sorted names, fixed times
# and owners.
#
#   mkinitramfs.sh a OUT PROG...        kernel A's root: busybox, our programs, the boot hook
#                                       (resume/initramfs-tools), the helper kernel and its
#                                       product initramfs in /boot/khib, the test overlay for
#                                       it in /boot/khib/helper-test.img
#   mkinitramfs.sh b-test OUT PROG...   the test overlay for helper kernel B, appended after
#                                       the product initramfs (helper/mkhelper): busybox,
#                                       PROGs, the guest library, /init = init-b
#   mkinitramfs.sh overlay OUT DIR      an archive of DIR's files under /, to append
#                                       (the kernel unpacks concatenated archives in order)
# For role a, KHIB_KERNEL, KHIB_HELPER_INITRD and KHIB_HELPER_TEST name the files to put in
# /boot/khib.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
role=$1 out=$2
shift 2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

pack() {
	(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		xargs -0 touch -h -d @0 &&
		find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0 --reproducible) | gzip -9 -n > "$out.tmp"
	mv "$out.tmp" "$out"
}

if [ "$role" = overlay ]; then
	cp -a "$1"/. "$stage"/
	pack
	exit 0
fi

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,usr/lib/khibernate,proc,sys,dev,run,tmp,etc,root}
cp /bin/busybox "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
[ "$(id -u)" = 0 ] && mknod -m 600 "$stage/dev/console" c 5 1
cp "$here/guest.sh" "$stage/usr/lib/khibernate/guest.sh"
for prog in "$@"; do
	cp "$prog" "$stage/usr/bin/"
done
case "$role" in
a)
	cp "$here/init-a" "$stage/init"
	mkdir -p "$stage/scripts/local-premount" "$stage/boot/khib"
	cp "$top/resume/initramfs-tools/scripts/local-premount/khibernate" "$stage/scripts/local-premount/"
	cp "$here/scripts-functions" "$stage/scripts/functions"
	cp "${KHIB_KERNEL:?}" "$stage/boot/khib/bzImage"
	cp "${KHIB_HELPER_INITRD:?}" "$stage/boot/khib/helper.img"
	cp "${KHIB_HELPER_TEST:?}" "$stage/boot/khib/helper-test.img"
	;;
b-test)
	rm -rf "$stage"/{proc,sys,dev,run,tmp,root}  # the product archive has what B mounts
	cp "$here/init-b" "$stage/init"
	;;
*)
	echo "mkinitramfs: role must be a, b-test or overlay" >&2
	exit 2
	;;
esac
echo "root:x:0:0:root:/root:/bin/sh" > "$stage/etc/passwd"
pack
