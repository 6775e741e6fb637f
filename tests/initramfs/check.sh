#!/bin/bash
# Our initramfs integrations built by the distribution's own tools, in Debian bookworm roots
# (tests/initramfs/chroot.sh), and the boot script run by the shell and tools of the
# initramfs it ended up in. Needs root (chroot) and, the first time, the network.
#
#   tests/initramfs/check.sh [klibc] [busybox] [dracut]     (default: all three)
#
# klibc, busybox: initramfs-tools' mkinitramfs with BUSYBOX=auto in a root without busybox
#   (klibc's tools only: no grep, no sed) and in one with it. The initramfs must hold
#   khib-resume, /etc/khibernate.conf and the files it names (the helper's kernel and
#   initramfs at non-default paths, the key file), the local-premount script ordered after the
#   kernel's own resume script. Then the script runs in the unpacked initramfs (chroot, its own
#   /bin/sh, a /proc/cmdline file) against a swap file holding a committed image: without
#   khibernate.resume= it does nothing; noresume discards the image; a bad resume_offset=
#   leaves it (the running system discards it: khibernate discard, tests/qemu/t4060).
# dracut: dracut with our module: the same files, the pre-mount hook, systemd-ask-password.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KHIB_BUILD:-$top/build}
kinds=${*:-klibc busybox dracut}
kver=6.12.0-khibtest
work=$(mktemp -d "${TMPDIR:-/tmp}/khib-initramfs-XXXXXX")
mounted=()
cleanup() {
	for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
failed=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; failed=1; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

[ "$(id -u)" = 0 ] || { echo "initramfs: skipped: needs root (chroot)" >&2; exit 0; }
for p in khibernate khib-resume; do
	[ -x "$build/static/bin/$p" ] || { echo "initramfs: $build/static/bin/$p missing (make)" >&2; exit 2; }
done

# install_ours ROOT: our programs, integrations and a configuration naming files at
# non-default paths, as a package would put them (static programs: the root has none of our
# libraries).
install_ours() {
	local r=$1
	install -D -m755 "$build/static/bin/khibernate" "$r/usr/sbin/khibernate"
	install -D -m755 "$build/static/bin/khib-resume" "$r/usr/sbin/khib-resume"
	install -D -m755 "$top/resume/initramfs-tools/hooks/khibernate" \
		"$r/usr/share/initramfs-tools/hooks/khibernate"
	install -D -m755 "$top/resume/initramfs-tools/scripts/local-premount/khibernate" \
		"$r/usr/share/initramfs-tools/scripts/local-premount/khibernate"
	mkdir -p "$r/usr/lib/dracut/modules.d/90khibernate"
	install -m755 "$top"/resume/dracut/90khibernate/* "$r/usr/lib/dracut/modules.d/90khibernate/"
	mkdir -p "$r/boot/khib-test" "$r/etc/khibernate"
	echo "helper kernel" > "$r/boot/khib-test/vmlinuz-helper"
	echo "helper initramfs" > "$r/boot/khib-test/helper.img"
	head -c 32 /dev/urandom > "$r/etc/khibernate/key"
	cat > "$r/etc/khibernate.conf" <<-EOF
	swap = /dev/fakeswap
	helper_kernel = /boot/khib-test/vmlinuz-helper
	helper_initrd = /boot/khib-test/helper.img
	encrypt = keyfile:/etc/khibernate/key
	EOF
	# A kernel with no modules: what the tools need to find for it.
	mkdir -p "$r/lib/modules/$kver"
	touch "$r/lib/modules/$kver/modules.order" "$r/lib/modules/$kver/modules.builtin"
	chroot "$r" depmod "$kver" 2>/dev/null
	printf 'CONFIG_BLK_DEV_INITRD=y\nCONFIG_RD_GZIP=y\nCONFIG_RD_ZSTD=y\n' > "$r/boot/config-$kver"
}

# unpack KIND: the root of that kind, with our files.
unpack() {
	local tar r=$work/$1
	tar=$("$top/tests/initramfs/chroot.sh" "$1")
	mkdir -p "$r"
	tar -C "$r" -xf "$tar"
	install_ours "$r"
	mount -t proc proc "$r/proc"
	mounted+=("$r/proc")
}

has() { [ -e "$1/$2" ] || { echo "  missing: $2" >&2; return 1; }; }

# The files the configuration names, where it names them.
has_ours() {
	local x=$1
	has "$x" usr/sbin/khib-resume && has "$x" etc/khibernate.conf &&
	has "$x" boot/khib-test/vmlinuz-helper && has "$x" boot/khib-test/helper.img &&
	has "$x" etc/khibernate/key
}

# boot_script X CMDLINE: runs the local-premount script in the unpacked initramfs X, with its
# own shell and tools, CMDLINE as /proc/cmdline. Prints what it said; returns its status.
boot_script() {
	mkdir -p "$1/proc" "$1/dev"
	echo "$2" > "$1/proc/cmdline"
	env -i PATH=/sbin:/usr/sbin:/bin:/usr/bin chroot "$1" /bin/sh /scripts/local-premount/khibernate 2>&1
}

# state X: what the fake swap area of X holds.
state() {
	"$build/bin/khib-image" --json info "$1/dev/fakeswap" 2>/dev/null | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'
}

# committed X: a fresh swap file with a committed image in X/dev/fakeswap.
committed() {
	mkdir -p "$1/dev"
	rm -f "$1/dev/fakeswap"
	truncate -s 16M "$1/dev/fakeswap"
	mkswap -L fakeswap "$1/dev/fakeswap" > /dev/null 2>&1
	head -c 256K /dev/urandom > "$work/mem"
	"$build/bin/khib-image" -q write "$work/mem" "$1/dev/fakeswap" > /dev/null &&
		[ "$(state "$1")" = committed ]
}

initramfs_tools() {
	local kind=$1 r=$work/$1 x=$work/$1-unpacked out
	unpack "$kind"
	out=$(chroot "$r" mkinitramfs -o /tmp/initrd.img "$kver" 2>&1) || { echo "$out"; bad "$kind: mkinitramfs"; return; }
	ok "$kind: mkinitramfs built $(stat -c %s "$r/tmp/initrd.img") bytes"
	grep -q "W: khibernate: the initramfs holds the key" <<< "$out" && ok "$kind: the hook warns about the key"
	chroot "$r" unmkinitramfs /tmp/initrd.img /tmp/unpacked
	mv "$r/tmp/unpacked" "$x"
	[ -d "$x/main" ] && x=$x/main  # early microcode archives come first when there are any
	check "$kind: khib-resume, the configuration and the files it names are in" has_ours "$x"
	check "$kind: the script is there, after the kernel's resume script" \
		grep -Pzq '/scripts/local-premount/resume[^\n]*\n.*\n/scripts/local-premount/khibernate' \
		"$x/scripts/local-premount/ORDER"
	check "$kind: the kernel's resume is off (its conf.d files, sourced in init's order)" \
		sh -c 'for f in "$1"/conf/conf.d/*; do [ -f "$f" ] && . "$f"; done; [ "$RESUME" = none ]' \
		sh "$x"
	if [ "$kind" = klibc ]; then
		check "$kind: no busybox, no grep, no sed: klibc's tools" \
			eval '[ ! -e "$x/bin/busybox" ] && [ ! -e "$x/bin/grep" ] && [ ! -e "$x/bin/sed" ] && [ -e "$x/bin/sh" ]'
	else
		check "$kind: busybox is in" has "$x" bin/busybox
	fi
	committed "$x"
	out=$(boot_script "$x" "root=/dev/vda2 ro quiet")
	check "$kind: without khibernate.resume= the script does nothing" \
		eval '[ -z "$out" ] && [ "$(state "$x")" = committed ]'
	out=$(boot_script "$x" "root=/dev/vda2 khibernate.resume=/dev/fakeswap noresume")
	echo "  said: $out"
	check "$kind: noresume discards the image" eval '[ "$(state "$x")" = none ]'
	committed "$x"
	out=$(boot_script "$x" "khibernate.resume=/dev/fakeswap khibernate.resume_offset=12abc")
	echo "  said: $(echo "$out" | head -1)"
	check "$kind: a bad resume_offset= is said, the boot goes on, the image stays" \
		eval 'grep -q "the offset is not a number of pages" <<< "$out" &&
		      [ "$(state "$x")" = committed ]'
	# (khibernate discard in the running system removes it: tests/qemu/t4060.)
}

dracut_check() {
	local r=$work/dracut out list
	unpack dracut
	out=$(chroot "$r" dracut --no-hostonly --force --kver "$kver" --add khibernate /tmp/initrd.img 2>&1) ||
		{ echo "$out" | tail -20; bad "dracut: dracut"; return; }
	ok "dracut: built $(stat -c %s "$r/tmp/initrd.img") bytes"
	list=$(chroot "$r" lsinitrd /tmp/initrd.img)
	for f in usr/sbin/khib-resume etc/khibernate.conf boot/khib-test/vmlinuz-helper \
		boot/khib-test/helper.img etc/khibernate/key 'hooks/pre-mount/10-khibernate-resume.sh' \
		bin/systemd-ask-password; do
		check "dracut: $f is in" eval 'grep -q " $f\$\| [a-z/]*$f\$" <<< "$list"'
	done
	check "dracut: the hook parses" sh -n "$top/resume/dracut/90khibernate/khibernate-resume.sh"
}

for kind in $kinds; do
	case "$kind" in
	klibc|busybox) initramfs_tools "$kind" ;;
	dracut) dracut_check ;;
	*) echo "initramfs: unknown kind $kind" >&2; exit 2 ;;
	esac
done
[ $failed = 0 ] && echo "initramfs: all passed" || echo "initramfs: some checks failed"
exit $failed
