#!/bin/bash
# The Debian guest of the real-system tests: bookworm with systemd, booted by the BIOS through
# GRUB from its own disk, with the initramfs Debian's update-initramfs built, and khibernate
# installed and set up in it as a user would. See docs/testing.md ("The Debian guest").
#
#   tests/debian/build.sh rootfs [PACKAGES]      print the root filesystem tarball (cached)
#   tests/debian/build.sh disk OUTDIR [PACKAGES]  print the provisioned disk (cached)
#
# PACKAGES: a file of extra Debian packages, one a line (a workload's DIR/packages).
# KHIB_DEBIAN_INITRAMFS: what builds the guest's initramfs, initramfs-tools (Debian's default)
# or dracut (Fedora's, packaged in Debian too; it replaces initramfs-tools); each has its disk.
# Two layers, each kept under a key that hashes everything it is made from:
#  rootfs  mmdebstrap --variant=minbase bookworm + tests/debian/packages + PACKAGES:
#          ${KHIB_CACHE:-~/.cache/khibernate}/debian-rootfs-KEY.tar (about 50 s, 200 MB).
#  disk    OUTDIR/debian-KEY.img (debian-dracut-KEY.img with dracut), a sparse raw disk with
#          an MBR: vda1 ext4 root (that tree,
#          our kernel installed as a Debian kernel package installs one, khibernate's .deb
#          (make deb) installed with dpkg, the test runner), vda2 swap. What needs no machine
#          runs in a chroot of the tree (update-initramfs, dpkg -i, the helper); then one
#          provisioning boot of our kernel with -kernel and this root
#          (tests/debian/guest/provision) runs khibernate setup, grub-install and update-grub,
#          and powers off. KEY also covers the kernel, the product (make install's files) and
#          the recipe. Tests boot qcow2 overlays of it.
# Runs as root (the tarball holds device nodes and owners; mkfs.ext4 -d copies them).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${KHIB_BUILD:-$top/build}
cache=${KHIB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/khibernate}
kernel=$build/kernel/bzImage
suite=bookworm
mirror=${KHIB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Bump when what a recipe produces changes without its inputs changing.
rootfs_recipe=1
disk_recipe=2
root_mib=2048    # room for the packages of a workload and a swap file
swap_mib=1024
# Reproducible: fixed times in the tarball (mmdebstrap honours SOURCE_DATE_EPOCH) and on disk.
export SOURCE_DATE_EPOCH=1700000000

initramfs=${KHIB_DEBIAN_INITRAMFS:-initramfs-tools}

stage=""
die() { echo "debian: $*" >&2; exit 1; }

case $initramfs in
initramfs-tools | dracut) ;;
*) die "KHIB_DEBIAN_INITRAMFS is initramfs-tools or dracut, not '$initramfs'" ;;
esac

# package_list [PACKAGES]: the sorted package names, comments and blanks dropped; with dracut,
# dracut in the place of initramfs-tools.
package_list() {
	cat "$here/packages" ${1:+"$1"} | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' |
		sed "s/^initramfs-tools\$/$initramfs/" | LC_ALL=C sort -u
}

rootfs() {
	local pkgs key tar
	pkgs=$(package_list "$@" | paste -sd, -)
	key=$( { echo "rootfs $rootfs_recipe $suite $mirror"; echo "$pkgs"; } | sha256sum | cut -c1-16)
	tar=$cache/debian-rootfs-$key.tar
	mkdir -p "$cache"
	exec 8> "$tar.lock"
	flock 8
	if [ ! -s "$tar" ]; then
		echo "debian: building the root filesystem ($suite, $(echo "$pkgs" | tr , ' ')); about a minute" >&2
		mmdebstrap --variant=minbase --mode=root --format=tar --include="$pkgs" \
			--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
			--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
			--dpkgopt='path-include=/usr/share/doc/*/copyright' \
			"$suite" "$tar.tmp" "$mirror" > "$tar.log" 2>&1 ||
			{ tail -20 "$tar.log" >&2; die "mmdebstrap failed (log: $tar.log)"; }
		mv "$tar.tmp" "$tar"
	fi
	exec 8>&-
	echo "$tar"
}

# kernel_release BZIMAGE: the release string the kernel reports (uname -r), from the
# bzImage's header (the version string's offset minus 0x200 is the u16 at 0x20e).
kernel_release() {
	local off
	off=$(od -An -tu2 -j $((0x20e)) -N2 "$1" | tr -d ' ')
	dd if="$1" bs=1 skip=$((off + 0x200)) count=128 status=none | tr '\0' '\n' | head -1 |
		cut -d' ' -f1
}

# product_tree DIR: khibernate as `make install PREFIX=/usr` puts it (what the package holds),
# for the key: the package is built only when the disk must be made.
product_tree() {
	make -C "$top" -s install DESTDIR="$1" PREFIX=/usr > /dev/null
}

# build_deb DIR: `make deb` (tools/make-deb.sh) into DIR; prints the .deb. Its unit tests are
# make check's (nocheck).
build_deb() {
	DEB_BUILD_OPTIONS=nocheck "$top/tools/make-deb.sh" "$1" >&2 || die "make deb failed"
	ls "$1"/khibernate_*_amd64.deb
}

# configure ROOT VER ROOT_UUID SWAP_UUID: the machine around khibernate: our kernel as a
# Debian kernel package installs one, fstab, GRUB on the serial console, the test runner.
configure() {
	local root=$1 ver=$2 root_uuid=$3 swap_uuid=$4 g=$here/guest lib=$1/usr/local/lib/khib-test
	local src
	src=$(cat "$build/kernel/cache-dir")
	install -D -m644 "$kernel" "$root/boot/vmlinuz-$ver"
	install -D -m644 "$src/config" "$root/boot/config-$ver"
	install -D -m644 "$src/System.map" "$root/boot/System.map-$ver"
	# All of our kernel is built in: depmod gets empty lists (modules.* must exist).
	mkdir -p "$root/lib/modules/$ver"
	: > "$root/lib/modules/$ver/modules.order"
	: > "$root/lib/modules/$ver/modules.builtin"

	echo khib-debian > "$root/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tkhib-debian\n' > "$root/etc/hosts"
	echo "$root_uuid" | tr -d - > "$root/etc/machine-id"
	printf 'UUID=%s / ext4 errors=remount-ro 0 1\nUUID=%s none swap sw 0 0\n' \
		"$root_uuid" "$swap_uuid" > "$root/etc/fstab"
	if [ "$initramfs" = dracut ]; then
		# The tree is built in a chroot, where dracut's host-only mode would take the host's
		# devices for the guest's: a generic initramfs (our kernel has no modules anyway).
		mkdir -p "$root/etc/dracut.conf.d"
		echo 'hostonly="no"' > "$root/etc/dracut.conf.d/khib-test.conf"
	else
		# As the Debian installer writes it: the kernel's own resume from the swap partition.
		echo "RESUME=UUID=$swap_uuid" > "$root/etc/initramfs-tools/conf.d/resume"
		# No busybox in the initramfs (klibc's tools only: no grep, no awk; as with busybox
		# not installed): the case khibernate's initramfs-tools script must handle.
		echo "BUSYBOX=n" > "$root/etc/initramfs-tools/conf.d/khib-test"
	fi
	# The console is a serial port; GRUB also reads the keyboard (terminal_input console), as
	# on a machine with a screen, so that a test can hold Shift at it (t5040). ${khib_extra}
	# (GRUB's environment, grub-editenv) lets a test add arguments to the next boots (e.g.
	# noresume) without update-grub.
	# no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer check can miss its
	# ticks and panic ("IO-APIC + timer doesn't work!"); seen once in the restore helper's boot
	# at a load of 6 on 2 cores. The helper gets it from khibernate under any hypervisor.
	mkdir -p "$root/etc/default/grub.d"
	cat > "$root/etc/default/grub.d/00-khib-test.cfg" <<-'EOF'
	GRUB_TIMEOUT=0
	GRUB_TERMINAL_INPUT="console serial"
	GRUB_TERMINAL_OUTPUT=serial
	GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
	GRUB_CMDLINE_LINUX="console=ttyS0,115200 panic=-1 no_timer_check \${khib_extra}"
	GRUB_CMDLINE_LINUX_DEFAULT=""
	GRUB_DISABLE_RECOVERY=true
	GRUB_DISABLE_OS_PROBER=true
	EOF
	# No network here: apt's daily timers would fail a unit at some boot.
	ln -sf /dev/null "$root/etc/systemd/system/apt-daily.timer"
	ln -sf /dev/null "$root/etc/systemd/system/apt-daily-upgrade.timer"

	# The workloads' tool (tests/guest/membuf.c), as the lab guest has it.
	install -D -m755 "$build/static/bin/khib-membuf" "$root/usr/local/bin/khib-membuf"
	install -D -m755 "$g/provision" "$lib/provision"
	install -m755 "$g/run-test" "$lib/run-test"
	install -m644 "$top/tests/guest/guest.sh" "$lib/guest.sh"
	install -m644 "$here/guest/debian.sh" "$lib/debian.sh"
	echo "$ver" > "$lib/kernel-release"
	install -D -m644 "$g/khib-test.service" "$root/etc/systemd/system/khib-test.service"
	ln -sf /etc/systemd/system/khib-test.service \
		"$root/etc/systemd/system/multi-user.target.wants/khib-test.service"
	ln -sfn /run/khib-test "$root/khib-test"
}

# in_root ROOT CMD...: run CMD in a chroot of ROOT with /proc, /sys and /dev (in a mount
# namespace of its own: nothing stays mounted).
in_root() {
	# shellcheck disable=SC2016  # expanded by the inner shell
	unshare --mount --propagation private -- sh -ec 'r=$1; shift
		mount -t proc proc "$r/proc"; mount -t sysfs sys "$r/sys"; mount --rbind /dev "$r/dev"
		exec chroot "$r" "$@"' sh "$@"
}

# uuid_from KEY WHAT: a fixed UUID for the disk of that key.
uuid_from() {
	echo "$1 $2" | sha256sum | sed -E 's/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*/\1-\2-4\3-8\4-\5/'
}

disk() {
	local out tar key ver root_uuid swap_uuid img prefix
	mkdir -p "$1"
	out=$(cd "$1" && pwd)
	shift
	tar=$(rootfs "$@")
	[ -r "$kernel" ] || die "$kernel missing (make kernel)"
	ver=$(kernel_release "$kernel")
	stage=$(mktemp -d)
	trap 'rm -rf "${stage:?}"' EXIT
	product_tree "$stage/product"
	key=$( { echo "disk $disk_recipe $root_mib $swap_mib $ver $initramfs"; basename "$tar"; sha256sum < "$kernel";
		(cd "$stage/product" && find . -type f | LC_ALL=C sort | xargs sha256sum);
		cat "$0" "$here"/guest/* "$top/tests/guest/guest.sh"; } | sha256sum | cut -c1-16)
	prefix=$out/debian-
	[ "$initramfs" = dracut ] && prefix=$out/debian-dracut-
	img=$prefix$key.img
	mkdir -p "$out"
	exec 9> "$out/debian.lock"
	flock 9
	if [ -s "$img" ]; then
		echo "$img"
		return 0
	fi
	echo "debian: making the disk $img" >&2
	root_uuid=$(uuid_from "$key" root)
	swap_uuid=$(uuid_from "$key" swap)
	mkdir "$stage/root"
	tar -C "$stage/root" -xf "$tar"
	configure "$stage/root" "$ver" "$root_uuid" "$swap_uuid"
	install -D -m644 "$(build_deb "$stage/deb")" "$stage/root/var/cache/khib-test/khibernate.deb"

	# What needs no machine runs natively in a chroot of the tree, with the guest's own tools
	# and configuration: the same files in, the same files out, where the guest under TCG takes
	# 140-180 s for each update-initramfs (mkinitramfs's ~1,400 small processes cost ~30 times
	# more there). In order: what a kernel package's postinst runs; dpkg -i of khibernate (its
	# trigger renews the initramfs); the helper, as the postinst builds it on a machine running
	# our kernel (in the chroot uname says the host's release: name the guest's); the settings
	# of /etc/khibernate.conf; and the initramfs renewed, which carries the configuration.
	# `khibernate setup` in the provisioning boot then finds helper and initramfs up to date.
	chroot_step() {
		in_root "$stage/root" "$@" >> "$stage/chroot.log" 2>&1 ||
			{ tail -30 "$stage/chroot.log" >&2; die "in the guest's tree: '$*' failed"; }
	}
	# renew_initramfs: what renews the initramfs of the guest's kernel (a kernel package's
	# postinst runs the same: update-initramfs, or dracut's /etc/kernel/postinst.d hook).
	renew_initramfs() {
		if [ "$initramfs" = dracut ]; then
			chroot_step /etc/kernel/postinst.d/dracut "$ver"
		else
			chroot_step update-initramfs -u -k "$ver"
		fi
	}
	chroot_step depmod -a "$ver"
	if [ "$initramfs" = dracut ]; then
		renew_initramfs
	else
		chroot_step update-initramfs -c -k "$ver"
	fi
	chroot_step dpkg -i /var/cache/khib-test/khibernate.deb
	chroot_step khibernate helper build --kernel "/boot/vmlinuz-$ver" --kver "$ver"
	printf 'swap = /dev/disk/by-uuid/%s\n' "$swap_uuid" \
		>> "$stage/root/etc/khibernate.conf"
	renew_initramfs
	# What the guest's initramfs is made of, for the record (debian-KEY.img.info).
	{
		if [ "$initramfs" = dracut ]; then
			echo "kernel $ver; dracut"
			in_root "$stage/root" lsinitrd "/boot/initrd.img-$ver" | grep -E 'khib|90khibernate' |
				awk '{ print $NF }' | LC_ALL=C sort
		else
			echo "kernel $ver; $(cat "$stage/root/etc/initramfs-tools/conf.d/khib-test")"
			in_root "$stage/root" lsinitramfs "/boot/initrd.img-$ver" |
				grep -E '^(usr/)?(s?bin/(busybox|grep|khib-resume)|.*khib.*)$' | LC_ALL=C sort
		fi
	} > "$stage/info"

	local start=2048 root_sectors=$((root_mib * 2048)) swap_sectors=$((swap_mib * 2048))
	local swap_start=$((start + root_sectors))
	rm -f "$img.tmp"
	truncate -s $(( (swap_start + swap_sectors) * 512 )) "$img.tmp"
	printf 'label: dos\nlabel-id: 0x4b484942\n%s,%s,83,*\n%s,%s,82\n' "$start" "$root_sectors" \
		"$swap_start" "$swap_sectors" | sfdisk -q "$img.tmp"
	E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -F -L khibroot -U "$root_uuid" \
		-E offset=$((start * 512)) -d "$stage/root" "$img.tmp" "${root_mib}M"
	truncate -s $((swap_sectors * 512)) "$stage/swap"
	mkswap -q -L khibswap -U "$swap_uuid" "$stage/swap" >/dev/null
	dd if="$stage/swap" of="$img.tmp" bs=4096 count=1 seek=$((swap_start / 8)) conv=notrunc status=none

	# The provisioning boot: our kernel mounts vda1 itself and runs the provisioning as init.
	(
		. "$top/tests/vm/vm.sh"
		cd "$stage"
		vm_boot provision --disk "$img.tmp" --initrd "" --region-args "" --mem 1G \
			--append "root=/dev/vda1 rw init=/usr/local/lib/khib-test/provision" --timeout 900 ||
			true
		cp provision.console "$img.provision.log"
		if [ "$(vm_result provision | cut -d' ' -f1)" != PASS ]; then
			tail -40 provision.console >&2
			rm -f "$img.tmp"
			die "provisioning failed: $(vm_result provision) (log: $img.provision.log)"
		fi
	) || exit 1
	mv "$stage/info" "$img.info"
	mv "$img.tmp" "$img"
	# Keep the three newest disks of this initramfs (other package lists, other builds); drop
	# older ones. KEY is 16 characters: debian-???? does not take in debian-dracut-KEY.
	ls -t "$prefix"????????????????.img | tail -n +4 | while read -r old; do rm -f "$old" "$old".*; done
	echo "$img"
}

case "${1:-}" in
rootfs) shift; rootfs "$@" ;;
disk) shift; [ $# -ge 1 ] || die "usage: build.sh disk OUTDIR [PACKAGES]"; disk "$@" ;;
*) echo "usage: $0 rootfs [PACKAGES] | disk OUTDIR [PACKAGES]" >&2; exit 2 ;;
esac
