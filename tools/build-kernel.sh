#!/bin/bash
# Build khibernate's kernel from Debian's linux-source-6.12 once and cache it.
#
#   tools/build-kernel.sh OUTDIR
#
# The cache lives in ${KHIB_CACHE:-~/.cache/khibernate}/kernel-KEY, KEY being a hash of the
# source tarball's name and size, the config fragment, the patches and the recipe version
# below: change any of them and the next run builds anew; otherwise it reuses the cached
# kernel at once. Concurrent runs for one key wait for each other (flock).
# OUTDIR receives symlinks bzImage, config and System.map into the cache.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: build-kernel.sh OUTDIR}
cache=${KHIB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/khibernate}
tarball=${KHIB_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
fragment=$top/kernel-patches/khibernate.config
jobs=${KHIB_JOBS:-$(nproc)}

[ -r "$tarball" ] || { echo "build-kernel: $tarball missing (run 'make deps')" >&2; exit 1; }

# Bump when the build recipe below changes what it produces.
recipe=2
key=$( { echo "recipe $recipe"; basename "$tarball"; stat -c %s "$tarball"; cat "$fragment";
         cat "$top"/kernel-patches/*.patch 2>/dev/null || true; } | sha256sum | cut -c1-16)
dir=$cache/kernel-$key
mkdir -p "$cache"
# One build per key at a time: a second make waits here for the first, then finds it cached.
exec 9> "$dir.lock"
if ! flock -n 9; then
	echo "kernel: another build of $dir is running; waiting for it"
	flock 9
fi

link_outputs() {
	mkdir -p "$out"
	ln -sfn "$dir/bzImage" "$out/bzImage"
	ln -sfn "$dir/config" "$out/config"
	ln -sfn "$dir/System.map" "$out/System.map"
	echo "$dir" > "$out/cache-dir"
}

if [ -f "$dir/bzImage" ]; then
	echo "kernel: cached $dir"
	link_outputs
	exit 0
fi

start=$(date +%s)
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
echo "kernel: cold build into $dir (takes about 7 minutes on two cores; log: $dir.tmp/build.log)"
tar -C "$dir.tmp" -xf "$tarball"
src=$(echo "$dir.tmp"/linux-source-*)
for p in "$top"/kernel-patches/*.patch; do
	[ -e "$p" ] || continue
	echo "kernel: applying $(basename "$p")"
	patch -d "$src" -p1 --quiet < "$p"
done

{
	make -C "$src" ARCH=x86_64 tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$fragment"
	make -C "$src" ARCH=x86_64 olddefconfig
} > "$dir.tmp/build.log" 2>&1

# olddefconfig drops what it cannot satisfy without a word: insist on every line we asked for.
"$top/tools/kconfig-check" "$fragment" "$src/.config" ||
	{ echo "kernel: the fragment does not apply; see $dir.tmp/build.log" >&2; exit 1; }

if ! make -C "$src" ARCH=x86_64 -j"$jobs" bzImage >> "$dir.tmp/build.log" 2>&1; then
	tail -30 "$dir.tmp/build.log" >&2
	echo "kernel: build failed; full log in $dir.tmp/build.log" >&2
	exit 1
fi
cp "$src/arch/x86/boot/bzImage" "$dir.tmp/bzImage"
cp "$src/.config" "$dir.tmp/config"
cp "$src/System.map" "$dir.tmp/System.map"
# The tree stays for quick rebuilds while patching (make -C "$dir/linux-source-*").
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "kernel: built in $(( $(date +%s) - start )) s: $dir/bzImage"
link_outputs
