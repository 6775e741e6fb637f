#!/bin/bash
test_description='the .deb installs into a minimal Debian bookworm and purges without a trace'
. "$(dirname "$0")/lib.sh"

# The root: mmdebstrap --variant=minbase of bookworm with the .deb's dependencies (the first
# alternative of each: initramfs-tools), from $KHIB_DEBIAN_MIRROR (default deb.debian.org,
# which this machine and CI reach directly; mmdebstrap downloads, it does not use the host's
# apt cache). It is built once (about 80 s) and kept in ~/.cache/khibernate/debroot-KEY/, KEY
# hashing what makes it: the recipe below, suite, mirror and package list. A stand-in kernel
# (an empty /boot/vmlinuz, its config and an empty module tree) gives update-initramfs an
# initramfs to rebuild, so that the trigger and our hook really run. Each run works on an
# overlay of the cached root (a copy where overlayfs is not available) and needs root.
suite=bookworm
mirror=${KHIB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${KHIB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/khibernate}
kv=6.1.0-standin
recipe=1
R=$TEST_DIR/root

depends() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep . | sort -u
}

# in_ns SCRIPT [ARGS]: run the shell SCRIPT in a private mount namespace in which $R is the test's
# root (the overlay, when used) with /proc, /sys and /dev; every mount ends with the namespace.
in_ns() {
	local script=$1
	shift
	unshare --mount --fork -- /bin/sh -ec '
		R=$1 lower=$2 script=$3; shift 3
		[ -z "$lower" ] || mount -t overlay khib-root -o \
			"lowerdir=$lower,upperdir=$R.upper,workdir=$R.work" "$R"
		mount -t proc proc "$R/proc"
		mount -t sysfs sysfs "$R/sys"
		mount --rbind /dev "$R/dev"
		eval "$script"' sh "$R" "${lower:-}" "$script" "$@"
}
in_root() {
	in_ns 'chroot "$R" "$@"' "$@"
}

# The stand-in kernel, in a fresh root ($R).
stand_in_kernel() {
	mkdir -p "$R/lib/modules/$kv" &&
	touch "$R/boot/vmlinuz-$kv" "$R/lib/modules/$kv/modules.order" \
		"$R/lib/modules/$kv/modules.builtin" "$R/lib/modules/$kv/modules.builtin.modinfo" &&
	printf 'CONFIG_BLK_DEV_INITRD=y\nCONFIG_RD_GZIP=y\n' > "$R/boot/config-$kv" &&
	echo COMPRESS=gzip > "$R/etc/initramfs-tools/conf.d/compress" &&
	in_root sh -c "depmod $kv && update-initramfs -c -k $kv"
}

prereq_DEBROOT() {
	local hostport
	ls -d "$cache"/debroot-*/ > /dev/null 2>&1 && return 0
	hostport=${mirror#*://}
	hostport=${hostport%%/*}
	case "$hostport" in *:*) ;; *) hostport=$hostport:80 ;; esac
	timeout 10 bash -c "exec 3<>/dev/tcp/${hostport%:*}/${hostport##*:}" 2>/dev/null
}

# A snapshot of the root: every path with its type, mode and owner; for files also size and
# mtime, so that a changed file shows. Left out, and only these: dpkg's own records of what
# it did (var/lib/dpkg/status, status-old, triggers/, lock files; var/log/dpkg.log), and the
# contents of the initramfs the trigger rebuilds (boot/initrd.img-*: its presence is kept;
# what it holds is checked with lsinitramfs).
snapshot() {
	in_ns 'find "$R" -xdev -mindepth 1 -printf "%y %m %U:%G %s %T@ %P\n"' |
		awk '$1 == "d" || $6 ~ /^boot\/initrd\.img-/ { $4 = $5 = "-" } { print }' |
		grep -vE ' var/lib/dpkg/(status|status-old|triggers/.*|lock.*)$| var/log/dpkg\.log$' |
		sort -k6
}

test_expect_success ROOT 'the .deb is there (make deb)' '
	test -n "$(pkg_deb)" || DEB_BUILD_OPTIONS=nocheck pkg_make deb
'
deb=$(pkg_deb)

test_expect_success ROOT,DEBROOT 'a minimal bookworm root with the dependencies (cached)' '
	pkgs=$(depends "$deb" | paste -sd,) &&
	key=$( { echo "recipe $recipe $suite $mirror $pkgs"; declare -f stand_in_kernel; } |
		sha256sum | cut -c1-16) &&
	root=$cache/debroot-$key &&
	mkdir -p "$cache" &&
	exec 9> "$root.lock" && flock 9 &&
	if [ ! -d "$root" ]; then
		rm -rf "$root.tmp" &&
		test_info "building $root: mmdebstrap $suite from $mirror with $pkgs" &&
		mmdebstrap --quiet --variant=minbase --include="$pkgs" "$suite" "$root.tmp" "$mirror" &&
		R=$root.tmp stand_in_kernel > "$TEST_DIR/stand-in.log" 2>&1 &&
		mv "$root.tmp" "$root"
	fi &&
	exec 9>&- &&
	mkdir -p "$R" "$R.upper" "$R.work" &&
	if lower=$root in_ns true 2> /dev/null; then
		echo "$root" > lower
	else
		test_info "no overlayfs here: copying the root" &&
		cp -a "$root/." "$R/" && : > lower
	fi
'
lower=$(cat lower 2>/dev/null)

test_expect_success ROOT,DEBROOT 'dpkg -i installs it; the trigger puts our hook into the initramfs; the unit is enabled' '
	snapshot > before.list &&
	in_ns "cp \"\$1\" \"\$R/tmp/khibernate.deb\"" "$deb" &&
	in_root dpkg -i /tmp/khibernate.deb > install.out 2>&1 &&
	in_root rm /tmp/khibernate.deb &&
	cat install.out &&
	grep -q "Processing triggers for initramfs-tools" install.out &&
	in_root dpkg-query -W -f="\${Conffiles}\n" khibernate | grep -q "^ /etc/khibernate.conf " &&
	in_root lsinitramfs "/boot/initrd.img-$kv" > initrd.list &&
	grep -qx usr/sbin/khib-resume initrd.list &&
	grep -qx etc/khibernate.conf initrd.list &&
	grep -qx scripts/local-premount/khibernate initrd.list &&
	in_root test -L /etc/systemd/system/sysinit.target.wants/khibernate-discard-stale.service
'

# What khibernate makes at run time, which the package does not hold: purge removes it too.
# (Written here as "khibernate setup" and "khibernate helper build" would.)
run_time_files() {
	mkdir -p /boot/khib /var/lib/khibernate /etc/default/grub.d &&
	touch /boot/khib/bzImage /boot/khib/helper.img /var/lib/khibernate/state &&
	echo "GRUB_CMDLINE_LINUX_DEFAULT=\"\$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=128M@0x10000000\"" \
		> /etc/default/grub.d/khibernate.cfg
}

test_expect_success ROOT,DEBROOT 'dpkg --purge leaves nothing behind (nor in the initramfs)' '
	in_root sh -ec "$(declare -f run_time_files); run_time_files" &&
	in_root dpkg --purge khibernate > purge.out 2>&1 &&
	cat purge.out &&
	snapshot > after.list &&
	diff -u before.list after.list &&
	in_root lsinitramfs "/boot/initrd.img-$kv" > initrd.list &&
	! grep khib initrd.list
'

# The overlay's upper layer and the copy are root's files: remove them here, not by hand.
in_ns true 2>/dev/null; rm -rf "$R" "$R.upper" "$R.work"
test_done
