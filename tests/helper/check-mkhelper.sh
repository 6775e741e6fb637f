#!/bin/bash
# The helper's initramfs builder (helper/mkhelper) and `khibernate helper build`, on files:
# a fake module tree (modules.dep and dummy modules, compressed three ways), fake kernels
# with and without CONFIG_KEXEC_JUMP (a config beside them, embedded, none), our own kernel.
#
#   tests/helper/check-mkhelper.sh          (make check-mkhelper)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KHIB_BUILD:-$top/build}
mkhelper=$top/helper/mkhelper
helper=$build/static/bin/khib-helper
work=$(mktemp -d "${TMPDIR:-/tmp}/khib-mkhelper-XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failed=1; fi
}
[ -x "$helper" ] || { echo "mkhelper: $helper missing (make)" >&2; exit 2; }

# A module tree: d needs c needs b; a alone. Each module's content names it.
mods=$work/lib/modules/6.1.0-fake
mkdir -p "$mods/kernel/drivers/x" "$mods/kernel/lib"
echo "module a" | xz > "$mods/kernel/drivers/x/a.ko.xz"
echo "module b" | zstd -q > "$mods/kernel/lib/b.ko.zst"
echo "module c" | gzip > "$mods/kernel/drivers/x/c-dash.ko.gz"
echo "module d" > "$mods/kernel/drivers/x/d.ko"
cat > "$mods/modules.dep" <<'EOF'
kernel/drivers/x/a.ko.xz:
kernel/lib/b.ko.zst:
kernel/drivers/x/c-dash.ko.gz: kernel/lib/b.ko.zst
kernel/drivers/x/d.ko: kernel/drivers/x/c-dash.ko.gz kernel/lib/b.ko.zst
EOF
order=(kernel/lib/b.ko.zst kernel/drivers/x/c-dash.ko.gz kernel/drivers/x/d.ko kernel/drivers/x/a.ko.xz)

listing() { zcat "$1" | cpio -itv --quiet 2>/dev/null; }
extract() { rm -rf "$2" && mkdir -p "$2" && (cd "$2" && zcat "$1" | cpio -id --quiet 2>/dev/null); }

"$mkhelper" --helper "$helper" --output "$work/h1.img" --kver 6.1.0-fake --moddir "$mods" \
	"${order[@]}" > "$work/out" 2>&1
check "mkhelper packs the helper and 4 modules" grep -q "4 module(s)" "$work/out"
extract "$work/h1.img" "$work/x"
check "/init is a link to the helper" test "$(readlink "$work/x/init")" = usr/lib/khibernate/khib-helper
check "the helper is the program given" cmp -s "$work/x/usr/lib/khibernate/khib-helper" "$helper"
check "modules are decompressed, each its own" eval '
	for m in a:drivers/x/a.ko b:lib/b.ko c:drivers/x/c-dash.ko d:drivers/x/d.ko; do
		[ "$(cat "$work/x/usr/lib/modules/6.1.0-fake/kernel/${m#*:}")" = "module ${m%%:*}" ] || exit 1
	done'
check "the list gives them in load order, uncompressed paths" eval '
	[ "$(grep -v "^#" "$work/x/usr/lib/khibernate/modules" | tr "\n" " ")" = \
	  "/usr/lib/modules/6.1.0-fake/kernel/lib/b.ko /usr/lib/modules/6.1.0-fake/kernel/drivers/x/c-dash.ko /usr/lib/modules/6.1.0-fake/kernel/drivers/x/d.ko /usr/lib/modules/6.1.0-fake/kernel/drivers/x/a.ko " ]'
check "names sorted, times 0, owner root, mount points there" eval '
	listing "$work/h1.img" > "$work/list" &&
	zcat "$work/h1.img" | cpio -it --quiet | LC_ALL=C sort -c 2>/dev/null &&
	! grep -v " root *root .* 1970 " "$work/list" &&
	grep -q " proc$" "$work/list" && grep -q " sys$" "$work/list" && grep -q " dev$" "$work/list"'
sleep 1
"$mkhelper" --helper "$helper" --output "$work/h2.img" --kver 6.1.0-fake --moddir "$mods" \
	"${order[@]}" > /dev/null 2>&1
check "reproducible: a second build is byte for byte the same" cmp -s "$work/h1.img" "$work/h2.img"
check "a missing module is refused" eval '! "$mkhelper" --helper "$helper" --output "$work/h3.img" \
	--moddir "$mods" kernel/nope.ko 2> "$work/err" && grep -q "no such module" "$work/err" &&
	[ ! -e "$work/h3.img" ]'
"$mkhelper" --helper "$helper" --output "$work/h0.img" > /dev/null 2>&1
check "no modules: no list" eval 'extract "$work/h0.img" "$work/y" && [ ! -e "$work/y/usr/lib/khibernate/modules" ]'
check "--compress none writes a plain cpio" eval '"$mkhelper" --helper "$helper" --output "$work/raw.img" \
	--compress none > /dev/null 2>&1 && cpio -it --quiet < "$work/raw.img" | grep -qx init'

# Kernels: a config beside one, embedded in another (gzip'd vmlinux holding IKCFG_ST), none.
mkdir -p "$work/kjump" "$work/nojump" "$work/embedded" "$work/none"
head -c 4096 /dev/urandom > "$work/kjump/vmlinuz"
echo "CONFIG_KEXEC_JUMP=y" > "$work/kjump/config"
head -c 4096 /dev/urandom > "$work/nojump/vmlinuz"
echo "# CONFIG_KEXEC_JUMP is not set" > "$work/nojump/config"
{ head -c 3000 /dev/urandom; printf 'IKCFG_ST'; printf 'CONFIG_X=y\nCONFIG_KEXEC_JUMP=y\n' | gzip;
  printf 'IKCFG_ED'; head -c 3000 /dev/urandom; } | gzip > "$work/vmlinux.gz"
{ head -c 2000 /dev/urandom; cat "$work/vmlinux.gz"; } > "$work/embedded/vmlinuz"
head -c 4096 /dev/urandom > "$work/none/vmlinuz"
build_with() { "$mkhelper" --helper "$helper" --output "$work/k.img" --kernel "$1" \
	--kernel-output "$work/installed/bzImage" > "$work/out" 2>&1; }
check "a kernel with CONFIG_KEXEC_JUMP (config beside it) is installed" eval '
	build_with "$work/kjump/vmlinuz" && cmp -s "$work/kjump/vmlinuz" "$work/installed/bzImage"'
check "one without it is refused with what to do, nothing installed" eval '
	rm -rf "$work/installed" "$work/k.img"; ! build_with "$work/nojump/vmlinuz" &&
	grep -q "without CONFIG_KEXEC_JUMP.*Use a kernel built with it" "$work/out" &&
	[ ! -e "$work/installed" ] && [ ! -e "$work/k.img" ]'
check "the configuration embedded in a kernel is read" eval '
	build_with "$work/embedded/vmlinuz" && grep -q "embedded in it" "$work/out"'
check "no configuration anywhere: refused, says where to put one" eval '
	! build_with "$work/none/vmlinuz" && grep -q "cannot tell.*put its .config at /boot/config-" "$work/out"'
check "--dry-run says and writes nothing" eval '
	rm -rf "$work/installed" "$work/k.img"; "$mkhelper" --helper "$helper" --output "$work/k.img" \
	--kernel "$work/kjump/vmlinuz" --kernel-output "$work/installed/bzImage" --dry-run > "$work/out" 2>&1 &&
	grep -q "would write" "$work/out" && [ ! -e "$work/k.img" ] && [ ! -e "$work/installed" ]'

# khibernate helper build with our kernel (built in: no modules), into a directory.
if [ -r "$build/kernel/bzImage" ]; then
	mkdir -p "$work/lib"
	ln -s "$mkhelper" "$work/lib/mkhelper"
	ln -s "$helper" "$work/lib/khib-helper"
	printf 'helper_kernel = /boot/x/vmlinuz-khib\nhelper_initrd = /boot/x/initrd-khib.img\n' > "$work/khib.conf"
	check "khibernate helper build: kernel and initramfs into --output-dir, named as configured" eval '
		KHIB_LIBDIR="$work/lib" "$build/bin/khibernate" helper build -c "$work/khib.conf" \
		--kernel "$build/kernel/bzImage" --output-dir "$work/out-dir" > "$work/out" 2>&1 &&
		cmp -s "$build/kernel/bzImage" "$work/out-dir/vmlinuz-khib" &&
		zcat "$work/out-dir/initrd-khib.img" | cpio -it --quiet | grep -qx init &&
		grep -q "^kernel: .*(6\.12\.[0-9]*)" "$work/out"'
	check "khibernate helper build refuses what is not a bzImage" eval '
		! KHIB_LIBDIR="$work/lib" "$build/bin/khibernate" helper build -c "$work/khib.conf" \
		--kernel "$helper" --output-dir "$work/out-dir2" > "$work/out" 2>&1 &&
		grep -q "not an x86 bzImage" "$work/out" && [ ! -e "$work/out-dir2" ]'
fi

[ $failed = 0 ] && echo "mkhelper: all passed" || echo "mkhelper: some checks failed"
exit $failed
