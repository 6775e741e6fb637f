#!/bin/bash
test_description='tools/khib-kernel-config on Debian'"'"'s own amd64 configuration

The configuration step for "your own kernel" (docs/user-guide.md) on Debian'"'"'s
linux-config-6.12 (config.amd64_none_amd64) and a linux-source-6.12 tree: our patches apply,
olddefconfig keeps every line of kernel-patches/distribution.config (KEXEC_JUMP, /dev/mem
without STRICT_DEVMEM, ...), the rest stays Debian'"'"'s (KASLR, modules), debug information is
off, LOCALVERSION marks the packages; a second run finds the patches applied and changes
nothing. Refusals: a requirement olddefconfig drops, a source outside 6.12.5..6.13. No kernel
is built. The tree holds only what olddefconfig and the patches need (Kconfig and Makefiles,
scripts/, include/, the patched files): extracted once into the cache, 100 MB instead of 1.4 GB.'
. "$(dirname "$0")/../vm/lib.sh"

TARBALL=${KHIB_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
DEBCONFIG=/usr/src/linux-config-6.12/config.amd64_none_amd64.xz
TOOL=$KHIB_TOP/tools/khib-kernel-config
if [ ! -r "$TARBALL" ] || [ ! -r "$DEBCONFIG" ]; then
	test_skip_all "needs $TARBALL and $DEBCONFIG (make deps)"
fi

# source_tree: the partial tree in the cache (one extraction per tarball), its path printed.
source_tree() {
	local cache=${KHIB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/khibernate}
	local key dir files
	key=$( { basename "$TARBALL"; stat -c %s "$TARBALL"; cat "$KHIB_TOP"/kernel-patches/*.patch; } |
		sha256sum | cut -c1-16)
	dir=$cache/kconfig-src-$key
	mkdir -p "$cache"
	(
		flock 9
		if [ ! -d "$dir" ]; then
			files=$(sed -n 's#^+++ b/\([^[:space:]]*\).*#linux-source-6.12/\1#p' \
				"$KHIB_TOP"/kernel-patches/*.patch)
			rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" &&
			tar -C "$dir.tmp" -xf "$TARBALL" --wildcards 'linux-source-6.12/scripts/*' \
				'linux-source-6.12/include/*' 'linux-source-6.12/arch/x86/include/*' \
				'linux-source-6.12/tools/include/*' '*/Kconfig*' '*/Makefile*' '*/Kbuild*' \
				$files &&
			mv "$dir.tmp" "$dir"
		fi
	) 9> "$dir.lock" >&2
	echo "$dir/linux-source-6.12"
}

test_expect_success 'the partial source tree' '
	src=$(source_tree) && test -x "$src/scripts/config" &&
	cp -a "$src" linux && test -f linux/kernel/kexec_core.c
'

test_expect_success 'Debian amd64 config: every requirement survives olddefconfig' '
	"$TOOL" --config "$DEBCONFIG" linux > first.out 2>&1 &&
	cat first.out &&
	grep -q "applied 0001-" first.out &&
	grep -q "has all of" first.out &&
	grep -qx "CONFIG_KEXEC_JUMP=y" linux/.config &&
	grep -qx "CONFIG_HIBERNATION_SNAPSHOT_DEV=y" linux/.config &&
	grep -qx "CONFIG_PROC_VMCORE=y" linux/.config &&
	grep -qx "# CONFIG_STRICT_DEVMEM is not set" linux/.config &&
	! grep -q "^CONFIG_IO_STRICT_DEVMEM=" linux/.config &&
	grep -qx "CONFIG_LOCALVERSION=\"-khibernate\"" linux/.config &&
	grep -qx "CONFIG_DEBUG_INFO_NONE=y" linux/.config
'

test_expect_success 'the rest stays Debian'"'"'s: KASLR, modules, NVMe and virtio as modules' '
	grep -qx "CONFIG_RANDOMIZE_BASE=y" linux/.config &&
	grep -qx "CONFIG_MODULES=y" linux/.config &&
	grep -qx "CONFIG_BLK_DEV_NVME=m" linux/.config &&
	grep -qx "CONFIG_VIRTIO_BLK=m" linux/.config &&
	test "$(grep -c "=m$" linux/.config)" -gt 3000
'

test_expect_success 'our patch is in the tree' '
	grep -q "pm_restrict_gfp_mask" linux/kernel/kexec_core.c
'

test_expect_success 'a second run finds the patches applied and gives the same .config' '
	cp linux/.config first.config &&
	"$TOOL" --config "$DEBCONFIG" linux > second.out 2>&1 &&
	grep -q "already applied" second.out &&
	cmp first.config linux/.config
'

test_expect_success 'a requirement olddefconfig drops is refused, by name' '
	mkdir -p patches && cp "$KHIB_TOP"/kernel-patches/* patches/ &&
	echo "CONFIG_KHIBERNATE_NO_SUCH_OPTION=y" >> patches/distribution.config &&
	test_expect_code 1 "$TOOL" --patches patches --config "$DEBCONFIG" linux > drop.out 2>&1 &&
	grep -q "not in .*: CONFIG_KHIBERNATE_NO_SUCH_OPTION=y" drop.out &&
	grep -q "lost what khibernate needs" drop.out
'

test_expect_success 'sources outside 6.12.5..6.13 are refused before anything changes' '
	mkdir -p old/scripts new/scripts && cp linux/scripts/config old/scripts/ &&
	cp linux/scripts/config new/scripts/ &&
	printf "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 4\n" > old/Makefile &&
	printf "VERSION = 6\nPATCHLEVEL = 14\nSUBLEVEL = 0\n" > new/Makefile &&
	test_expect_code 1 "$TOOL" --config "$DEBCONFIG" old 2> old.err &&
	grep -q "older than 6.12.5" old.err && test ! -e old/.config &&
	test_expect_code 1 "$TOOL" --config "$DEBCONFIG" new 2> new.err &&
	grep -q "6.14 changed it" new.err && test ! -e new/.config
'
test_done
