#!/bin/bash
# A Debian bookworm root (tarball) for checking our initramfs integrations with the
# distribution's own tools, built once with mmdebstrap and cached.
#
#   tests/initramfs/chroot.sh KIND     prints the path of the cached tarball, building it first
#
# KIND: klibc        minbase + initramfs-tools, no busybox (BUSYBOX=auto finds none: klibc only)
#       busybox      the same with busybox (what Debian installs when recommends are on)
#       dracut       minbase + dracut (it conflicts with initramfs-tools: never on the host)
# The cache is ${KHIB_CACHE:-~/.cache/khibernate}/chroot-KIND-KEY.tar, KEY hashing the package
# list, the suite and the recipe below; concurrent builds of one key wait for each other.
set -euo pipefail

kind=${1:?usage: chroot.sh klibc|busybox|dracut}
cache=${KHIB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/khibernate}
suite=bookworm
mirror=${KHIB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
case "$kind" in
klibc) pkgs=initramfs-tools,kmod ;;
busybox) pkgs=initramfs-tools,kmod,busybox ;;
dracut) pkgs=dracut,kmod,systemd ;;
*) echo "chroot.sh: unknown kind '$kind'" >&2; exit 2 ;;
esac
# Bump when the recipe changes what it produces.
recipe=1
key=$(printf '%s\n' "recipe $recipe" "$suite" "$pkgs" "$mirror" | sha256sum | cut -c1-16)
out=$cache/chroot-$kind-$key.tar
mkdir -p "$cache"
exec 9> "$out.lock"
flock 9
if [ ! -s "$out" ]; then
	echo "chroot: building $out (mmdebstrap, about a minute)" >&2
	mmdebstrap --quiet --variant=minbase --include="$pkgs" \
		--format=tar --aptopt='APT::Install-Recommends "false"' "$suite" "$out.tmp" "$mirror" >&2
	mv "$out.tmp" "$out"
fi
echo "$out"
