#!/bin/bash
# Install the Debian packages khibernate needs to build and test. As root it runs apt-get;
# otherwise it prints the command to run and fails. Fast when all is there already.
set -euo pipefail

pkgs=(
	build-essential pkg-config clang            # compilers (clang: libFuzzer)
	liblz4-dev libgcrypt20-dev libgpg-error-dev libelf-dev zlib1g-dev libcmocka-dev
	linux-source-6.12 flex bison bc libssl-dev libelf-dev xz-utils cpio  # our kernel
	linux-config-6.12 patch                     # tools/khib-kernel-config on Debian's config
	qemu-system-x86 qemu-utils busybox-static   # guests
	fdisk util-linux e2fsprogs             # disk images
	grub-common grub-pc-bin                # khibernate setup: grub-mkconfig and GRUB in QEMU
	lz4 gnuplot-nox perl python3 time           # benchmarks, prove, image goldens, check-hostile
	zstd                                        # check-mkhelper: modules compressed as distributions do
	debhelper lintian mmdebstrap groff-base    # make deb, the package tests, check-man
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages; as root run:" >&2
	echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# An 'apt-get update' is needed once on a new machine; its lists are kept for the next runs.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
	apt-get update -q
fi
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
